/**
 * Compaction of an orion's stream: a snapshot of what a worker's replay of the stream up to
 * an entry would rebuild (the orion's execution state, the synchronizer's pending set and
 * statistics), stored by the lease holder under `orion:{id}:snapshot` together with the
 * trim of the stream behind it, in one fenced script. Recovery is then the snapshot plus the
 * stream's tail after its `lastId`: the same state as a replay of the whole stream.
 *
 * The snapshot is a pure function of the stream's prefix (the compactor folds the entries
 * as the broker has them, with their broker times, never the worker's in-memory view), so
 * it does not depend on which worker wrote it or when.
 */
import { parseOrionEvent, type OrionEvent } from "../src/events.js";
import type { TaskOrion } from "../src/orion/types.js";
import type { PendingState } from "../src/pending/PendingState.js";
import { reducePending } from "../src/pending/reducePending.js";
import {
  InvalidPendingSnapshotError,
  restorePendingState,
  snapshotPendingState,
  type PendingSnapshot,
} from "../src/pending/snapshot.js";
import type { Fence, FenceRefusal, LeaseGrant } from "./fencing.js";
import type { RedisStreamClient } from "./RedisStreamClient.js";
import type { OrionReplayer } from "./replayOrion.js";
import { type ReplayOptions } from "./replayOrion.js";
import { decodeStreamEntry, entryTime, parseEntries, type DecodeLimits } from "./streamEntry.js";

/** The `format` of the worker snapshots this version writes and reads. */
export const ORION_SNAPSHOT_FORMAT = "orion-sync/orion-snapshot@1";

/** What `orion:{id}:snapshot` holds (as JSON): see the module comment. */
export interface OrionSnapshot {
  /** Always {@link ORION_SNAPSHOT_FORMAT}. */
  readonly format: typeof ORION_SNAPSHOT_FORMAT;
  /** The orion. */
  readonly orionId: string;
  /** The last stream entry the snapshot covers: recovery replays the entries after it. */
  readonly lastId: string;
  /** Events of this orion the snapshot covers, in total (those of earlier snapshots included). */
  readonly events: number;
  /** The orchestrator's orion with its execution state (statuses, results), if it started. */
  readonly orion: TaskOrion | null;
  /** How the orion ended, if it did. */
  readonly ended: "ORION_COMPLETED" | "ORION_FAILED" | null;
  /** The synchronizer's fold: pending modifications, records, statistics. */
  readonly pending: PendingSnapshot;
  /** When it was taken, on the writing worker's clock (ms): for operators, not read. */
  readonly takenAt: number;
}

/**
 * Parses a stored snapshot of `orionId`.
 * @throws InvalidPendingSnapshotError if it is not one (a corrupt or foreign value): the
 *   worker stops rather than guess, since the stream behind it may be trimmed.
 */
export function parseOrionSnapshot(
  text: string,
  orionId: string,
  now: number,
): { snapshot: OrionSnapshot; pending: PendingState } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidPendingSnapshotError(
      `orion-sync: the snapshot of '${orionId}' is not JSON (${String(error)})`,
    );
  }
  const s = value as Partial<OrionSnapshot> | null;
  if (
    typeof s !== "object" ||
    s === null ||
    s.format !== ORION_SNAPSHOT_FORMAT ||
    s.orionId !== orionId ||
    typeof s.lastId !== "string" ||
    !/^\d+-\d+$/.test(s.lastId) ||
    typeof s.events !== "number" ||
    (s.ended !== null && s.ended !== "ORION_COMPLETED" && s.ended !== "ORION_FAILED") ||
    (s.orion !== null && (typeof s.orion !== "object" || s.orion.id !== orionId))
  ) {
    throw new InvalidPendingSnapshotError(
      `orion-sync: the value under the snapshot key of '${orionId}' is not its snapshot`,
    );
  }
  if (s.orion !== null) {
    // The event parser's checks of an orion (shape, depth, size).
    const parsed = parseOrionEvent({
      type: "ORION_STARTED",
      orionId,
      timestamp: 0,
      orion: s.orion,
    });
    if (parsed instanceof Error) {
      throw new InvalidPendingSnapshotError(
        `orion-sync: the snapshot of '${orionId}' has an invalid orion (${parsed.message})`,
      );
    }
  }
  // The fold's own checks (InvalidPendingSnapshotError).
  const pending = restorePendingState(s.pending as PendingSnapshot, now);
  return { snapshot: s as OrionSnapshot, pending };
}

/** Options of a {@link Compactor}. */
export interface CompactorOptions {
  readonly orionId: string;
  readonly stream: string;
  readonly snapshotKey: string;
  readonly limits: DecodeLimits;
  readonly replay: ReplayOptions;
  readonly retentionMs: number;
  /** The clock the fold reads (`scheduler.now`). */
  readonly now: () => number;
}

/**
 * Event ids a snapshot keeps (the newest; those of owed modifications always): enough to
 * recognise an agent's redelivered answers, which come within seconds, and small enough to
 * write and restore in a few milliseconds (all 65,536 the fold may hold take ~0.3 s).
 */
export const SNAPSHOT_EVENT_IDS = 4_096;

/** Entries read per `XRANGE` page. */
const PAGE = 1_000;

/**
 * Folds the stream as the broker has it, from a covered entry on, and writes snapshots of
 * it. One per worker, used only while the worker holds the lease.
 */
export class Compactor {
  private readonly replayer: OrionReplayer;
  private pending: PendingState;
  private covered: number;
  /** Entries (of any kind) folded since the last snapshot was written or read. */
  sinceSnapshot = 0;
  private busy = false;

  /**
   * @param from - the state at `lastId`: a replay's, or a snapshot's
   */
  constructor(
    private readonly client: RedisStreamClient,
    private readonly fence: Fence,
    private readonly grant: LeaseGrant,
    private readonly options: CompactorOptions,
    from: {
      readonly replayer: OrionReplayer;
      readonly pending: PendingState;
      readonly lastId: string;
      readonly events: number;
    },
  ) {
    this.replayer = from.replayer;
    this.pending = from.pending;
    this.lastId = from.lastId;
    this.covered = from.events;
  }

  /** The last entry folded. */
  lastId: string;

  /** Folds one entry (decoded as the replay decodes it). */
  private apply(event: OrionEvent): void {
    if (event.orionId !== this.options.orionId) return;
    this.covered++;
    this.replayer.apply(event);
    const isEnd = event.type === "TASK_COMPLETED" || event.type === "TASK_FAILED";
    this.pending = reducePending(
      this.pending,
      isEnd ? { kind: "event", event, at: event.timestamp } : { kind: "event", event },
      this.options.now(),
    );
  }

  /** Reads and folds the entries after {@link lastId}, page by page (yielding between pages). */
  async catchUp(stop: () => boolean): Promise<void> {
    for (;;) {
      if (stop()) return;
      const page = parseEntries(
        await this.client.call(
          "XRANGE",
          this.options.stream,
          `(${this.lastId}`,
          "+",
          "COUNT",
          PAGE,
        ),
      );
      for (const { id, fields } of page) {
        const decoded = decodeStreamEntry(fields, entryTime(id), this.options.limits);
        this.lastId = id;
        this.sinceSnapshot++;
        if (decoded.ok) this.apply(decoded.event);
      }
      if (page.length < PAGE) return;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** The snapshot of everything folded so far. */
  snapshot(): OrionSnapshot {
    const replayed = this.replayer.result();
    return {
      format: ORION_SNAPSHOT_FORMAT,
      orionId: this.options.orionId,
      lastId: this.lastId,
      events: this.covered,
      orion: replayed.orion ?? null,
      ended: replayed.ended ?? null,
      pending: snapshotPendingState(this.pending, { maxEventIds: SNAPSHOT_EVENT_IDS }),
      takenAt: this.options.now(),
    };
  }

  /**
   * Writes the snapshot and trims the stream behind it (fenced): entries trimmed, or why the
   * broker refused. Nothing is written when nothing was folded since the last snapshot.
   */
  async write(): Promise<{ trimmed: number } | { refused: FenceRefusal } | undefined> {
    if (this.sinceSnapshot === 0 || this.lastId === "0-0") return undefined;
    const snapshot = this.snapshot();
    const reply = await this.fence.snapshot(
      this.grant,
      this.options.snapshotKey,
      JSON.stringify(snapshot),
      snapshot.lastId,
      this.options.retentionMs,
    );
    if ("trimmed" in reply) this.sinceSnapshot = 0;
    return reply;
  }

  /**
   * One round: catch up, then write a snapshot if at least `every` entries were folded since
   * the last. Skipped while a round is running. Resolves to the write's reply, if any.
   */
  async round(
    every: number,
    stop: () => boolean,
  ): Promise<{ trimmed: number } | { refused: FenceRefusal } | undefined> {
    if (this.busy) return undefined;
    this.busy = true;
    try {
      await this.catchUp(stop);
      if (stop() || this.sinceSnapshot < every) return undefined;
      return await this.write();
    } finally {
      this.busy = false;
    }
  }
}
