import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import {
  asyncScheduler,
  defer,
  filter,
  from,
  isObservable,
  last,
  map,
  Observable,
  of,
  Subscription,
  switchMap,
  take,
  timer,
  type SchedulerLike,
} from "rxjs";
import type { OrionEvent, TaskEvent } from "../src/events.js";
import { checkTimeout, MAX_TIMEOUT } from "../src/internal/durations.js";
import { DEFAULT_MODIFICATION_TIMEOUT } from "../operators/pendingModifications.js";
import type { PendingState } from "../src/pending/PendingState.js";
import { completeTask } from "../src/orion/completeTask.js";
import type { ReadyTaskOptions } from "../src/orion/getReadyTasks.js";
import type { TaskOrion, JsonValue, Task } from "../src/orion/types.js";
import { orchestrateOrion } from "../src/orchestrator/orchestrateOrion.js";
import type {
  ExecuteTask,
  OrchestrateOptions,
  OrchestrationProgress,
  OrchestrationResult,
} from "../src/orchestrator/types.js";
import { OrionModificationSynchronizer, type SynchronizerLogger } from "../src/synchronizer.js";
import { fromRedisStream, type InvalidStreamEntry } from "./fromRedisStream.js";
import { HistoryLostError } from "./errors.js";
import { Compactor, parseOrionSnapshot } from "./compaction.js";
import { Fence, type FenceRefusal, type LeaseGrant } from "./fencing.js";
import { heldScheduler } from "./heldScheduler.js";
import {
  orionFenceKey,
  orionLeaseKey,
  orionSnapshotKey,
  orionStreamKey,
} from "./orionStreamKey.js";
import type { RedisStreamClient } from "./RedisStreamClient.js";
import { OrionReplayer } from "./replayOrion.js";
import {
  decodeStreamEntry,
  DEFAULT_MAX_ENTRY_LENGTH,
  encodeForPublish,
  entryTime,
  parseEntries,
} from "./streamEntry.js";

/** Options of {@link runOrionWorker}. */
export interface OrionWorkerOptions {
  /** The orion this worker runs. */
  readonly orionId: string;
  /** The orion to start if its stream has no `ORION_STARTED` yet (a fresh run). */
  readonly orion?: TaskOrion;
  /** Runs one task (see `orchestrateOrion`). */
  readonly executeTask: ExecuteTask;
  /** How many tasks may run at once. Default: no limit. */
  readonly maxConcurrency?: number;
  /** Predicates for `conditional` dependencies. */
  readonly readyOptions?: ReadyTaskOptions;
  /** The synchronizer's modification timeout, in ms. Default 600 000. */
  readonly modificationTimeout?: number;
  /** The stream. Default `orionStreamKey(orionId)`. */
  readonly stream?: string;
  /** This worker's name, written in its lease and in its entries' `origin`. Default: unique. */
  readonly workerId?: string;
  /**
   * How long the lease on the orion lasts without renewal, in ms (renewed every third of
   * it). A worker that dies holds the orion this long at most. Default 15 000.
   */
  readonly leaseMs?: number;
  /**
   * Stops this worker without ending the orion (a hand-over, e.g. on SIGTERM): running
   * tasks are aborted, nothing more is published, the lease is released, and the promise
   * resolves with `outcome: "stopped"`. The next worker fails the aborted tasks.
   */
  readonly signal?: AbortSignal;
  /** Where the synchronizer logs. Silent by default. */
  readonly logger?: SynchronizerLogger;
  /** Timers (lease, waits, modification timeouts). Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  /** Called once the stream is replayed, before anything starts. */
  readonly onRecovered?: (recovery: OrionRecovery) => void;
  /** Called with each progress of the orchestration (events published, then the result). */
  readonly onProgress?: (progress: OrchestrationProgress) => void;
  /**
   * Called with the worker's synchronizer right after it is made, before the replay (so
   * replayed modifications are seen too): to instrument it (see `orion-sync/otel`). A throw
   * is logged and ignored.
   */
  readonly onSynchronizer?: (synchronizer: OrionModificationSynchronizer) => void;
  /** Called for each stream entry that is not a valid orion event (it is skipped). */
  readonly onInvalid?: (entry: InvalidStreamEntry) => void;
  /**
   * The largest entry, in characters of its fields, this worker writes and reads: the
   * readers' `maxEntryLength` (default 16 MiB). A task whose result would not fit fails
   * with an `UnpublishableEventError` instead of being published for nobody.
   */
  readonly maxEntryLength?: number;
  /**
   * The orion ran before (your job queue knows): a stream without its `ORION_STARTED` means
   * the broker lost it, so the worker rejects with `HistoryLostError` instead of starting
   * the orion again from scratch. Default `false`: an empty stream is a fresh run.
   */
  readonly requireHistory?: boolean;
  /**
   * Compaction: once this many stream entries follow the last snapshot, the worker writes a
   * new snapshot of the orion (`orion:{id}:snapshot`: execution state, the synchronizer's
   * pending set and statistics, the last entry covered) and trims the stream behind it, in
   * one fenced script. It checks every `min(leaseMs, 1000)` ms, and right after a recovery
   * that replayed this many. A new worker then replays the snapshot plus the tail. `0`:
   * never (the stream grows without bound). Default 10 000.
   */
  readonly snapshotEvery?: number;
  /**
   * How long trimmed-behind-a-snapshot entries are kept, by their broker time, in ms: readers
   * without a consumer group (including this worker's own live reader) that lag by less
   * never miss an entry. Consumer groups are protected whatever this is: the trim never
   * passes a group's last-delivered or oldest unacknowledged entry. Default 600 000.
   */
  readonly retentionMs?: number;
}

/** What a worker found in the stream when it took the orion over. */
export interface OrionRecovery {
  /** Events of this orion replayed. */
  readonly events: number;
  /** Valid entries of other orions on the stream: ignored entirely. */
  readonly ignored: number;
  /** Whether the stream had an `ORION_STARTED` for the orion (otherwise this is a fresh run). */
  readonly resumed: boolean;
  /** Tasks whose modification the agent still owes, as the synchronizer rebuilt them. */
  readonly pending: readonly string[];
  /** Tasks that were running when the previous worker stopped: this worker fails them. */
  readonly interrupted: readonly string[];
  /** The last entry id replayed (`"0-0"` for an empty stream): a checkpoint. */
  readonly lastId: string;
  /**
   * The `lastId` of the snapshot the recovery started from (then `events` counts only the
   * tail after it), or `undefined` for a replay from the stream's first entry.
   */
  readonly snapshot: string | undefined;
}

/** How {@link runOrionWorker} ended. */
export interface OrionWorkerResult {
  /** `completed` / `failed`: the orion ended (now, or before this worker came); `stopped`: `signal`. */
  readonly outcome: "completed" | "failed" | "stopped";
  /** What the replay found. */
  readonly recovery: OrionRecovery;
  /** The orchestration's result, if this worker ran it to the end. */
  readonly result: OrchestrationResult | undefined;
}

/** The worker's lease on the orion expired or was taken: it stopped without ending the orion. */
export class LeaseLostError extends Error {
  /** Always `"LeaseLostError"`. */
  override readonly name = "LeaseLostError";
  /**
   * Made by the worker; exported so callers can test `instanceof`.
   * @param orionId - the orion whose lease was lost
   */
  constructor(readonly orionId: string) {
    super(`orion-sync: the lease on orion '${orionId}' was lost; this worker stopped`);
  }
}

/** Entries per `XRANGE` page of the replay; the worker yields to the event loop after each. */
const REPLAY_PAGE = 1000;

/** A task's error longer than this (characters of its message) is truncated before it is published. */
const MAX_ERROR_MESSAGE = 64 * 1024;

/**
 * Runs orion `orionId` in this process until it ends, with its events on a Redis stream:
 * one synchronizer per orion, in whichever worker process holds the orion's lease.
 *
 * 1. Waits for the orion's lease, granted by a Lua script that also increments the orion's
 *    fencing counter (`orion:{id}:fence`): the grant's token. The lease is renewed from
 *    then on (during the replay too). Every write of the worker is a Lua script that
 *    appends the entry only if the lease still holds this grant: a worker that lost its
 *    lease (a pause longer than the lease, a partition) cannot write anything, and stops
 *    with {@link LeaseLostError} at its first refused write or renewal.
 * 2. Restores the orion's snapshot (`orion:{id}:snapshot`), if the stream was compacted,
 *    and replays the stream after it (from its first entry without one), in pages, yielding
 *    to the event loop between them (the renewal keeps running), into the synchronizer
 *    (registrations are measured from each entry's broker time; its timers are held until
 *    the replay ends) and into {@link OrionReplayer}. Entries of other orions are ignored
 *    entirely. While it runs, it compacts the stream every `snapshotEvery` entries: a fenced
 *    snapshot of the fold of the stream so far, and `XTRIM MINID` behind it.
 * 3. Fails the tasks that were running when the previous worker stopped (`TASK_FAILED`
 *    with `{ name: "WorkerInterrupted" }`).
 * 4. Runs the reference orchestrator on the recovered orion, merged with the agent's
 *    latest. A task's `executeTask` is called only once its `TASK_STARTED` is on the
 *    broker, appended by the fenced write: a start that was not recorded never ran, and a
 *    task runs at most once per attempt across all workers. A result that no reader would
 *    accept (over `maxEntryLength`, too deep, not JSON) fails the task with an
 *    `UnpublishableEventError`.
 *
 * Resolves when the orion ends (or at once if the stream says it ended); rejects with
 * {@link LeaseLostError} if another worker took the orion, with {@link HistoryLostError}
 * if the broker lost the orion's stream or fencing counter while this worker ran it, or
 * with the error of a failed write (the orion is then left to the next worker). `client`
 * is not closed.
 */
export async function runOrionWorker(
  client: RedisStreamClient,
  options: OrionWorkerOptions,
): Promise<OrionWorkerResult> {
  const { orionId, signal } = options;
  const stream = options.stream ?? orionStreamKey(orionId);
  const workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomUUID()}`;
  const leaseMs = options.leaseMs ?? 15_000;
  if (!Number.isSafeInteger(leaseMs) || leaseMs < 3 || leaseMs > MAX_TIMEOUT) {
    throw new RangeError(
      `runOrionWorker: leaseMs must be an integer from 3 to ${MAX_TIMEOUT}, got ${leaseMs}`,
    );
  }
  const maxEntryLength = options.maxEntryLength ?? DEFAULT_MAX_ENTRY_LENGTH;
  if (!Number.isSafeInteger(maxEntryLength) || maxEntryLength < 1) {
    throw new RangeError(
      `runOrionWorker: maxEntryLength must be a positive integer, got ${maxEntryLength}`,
    );
  }
  const limits = { maxEntryLength };
  const snapshotEvery = options.snapshotEvery ?? 10_000;
  const retentionMs = options.retentionMs ?? 600_000;
  if (!Number.isSafeInteger(snapshotEvery) || snapshotEvery < 0) {
    throw new RangeError(
      `runOrionWorker: snapshotEvery must be a non-negative integer, got ${snapshotEvery}`,
    );
  }
  if (!Number.isSafeInteger(retentionMs) || retentionMs < 0) {
    throw new RangeError(
      `runOrionWorker: retentionMs must be a non-negative integer, got ${retentionMs}`,
    );
  }
  // Checked before the lease: a bad option must not leave the orion leased (the
  // synchronizer is built after the lease, from the snapshot if there is one).
  checkTimeout(options.modificationTimeout ?? DEFAULT_MODIFICATION_TIMEOUT, "modificationTimeout");
  const snapshotKey = orionSnapshotKey(orionId);
  const scheduler = options.scheduler ?? asyncScheduler;
  const fence = new Fence(client, orionLeaseKey(orionId), orionFenceKey(orionId), stream);
  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const subscription = timer(ms, scheduler).subscribe(() => {
        signal?.removeEventListener("abort", wake);
        resolve();
      });
      const wake = (): void => {
        subscription.unsubscribe();
        resolve();
      };
      signal?.addEventListener("abort", wake, { once: true });
    });

  const stoppedEarly = (recovery: OrionRecovery): OrionWorkerResult => ({
    outcome: "stopped",
    recovery,
    result: undefined,
  });
  const none: OrionRecovery = {
    events: 0,
    ignored: 0,
    resumed: false,
    pending: [],
    interrupted: [],
    lastId: "0-0",
    snapshot: undefined,
  };

  // 1. The lease, with its fencing token.
  let grant: LeaseGrant | undefined;
  while ((grant = await fence.acquire(workerId, leaseMs)) === undefined) {
    if (signal?.aborted) return stoppedEarly(none);
    await sleep(Math.max(10, Math.floor(leaseMs / 5)));
  }
  const lease = grant;
  /** The first reason this worker must stop; set once, never cleared. */
  let halted: unknown;
  let stop: ((reason: unknown) => void) | undefined;
  const halt = (reason: unknown): void => {
    halted ??= reason;
    stop?.(halted);
  };
  const refused = (why: FenceRefusal): Error =>
    why === "lease-lost"
      ? new LeaseLostError(orionId)
      : new HistoryLostError(
          orionId,
          why === "counter-lost"
            ? "its fencing counter is gone or behind this worker's token: a restart without persistence?"
            : "its stream is gone",
        );
  // Renewed from now on: a replay longer than the lease must not hand the orion to another.
  const renewal = timer(leaseMs / 3, leaseMs / 3, scheduler).subscribe(() => {
    fence.renew(lease, leaseMs).then(
      (why) => {
        if (why !== undefined) halt(refused(why));
      },
      (error: unknown) => options.logger?.warn("orion-sync: renewing the lease failed", error),
    );
  });

  let disposeSync = (): void => undefined;
  /** A compaction round in flight: awaited before the lease is released. */
  let compacting: Promise<unknown> | undefined;
  let compaction: Subscription | undefined;
  try {
    // 2. The snapshot, if the stream was compacted, then the replay of the tail after it,
    // page by page; the event loop (and the renewal) runs between pages.
    const stored = await client.call("GET", snapshotKey);
    const restored =
      typeof stored === "string" ? parseOrionSnapshot(stored, orionId, scheduler.now()) : undefined;
    // Its timers are held during the replay (see heldScheduler).
    const held = heldScheduler(scheduler);
    const sync = new OrionModificationSynchronizer({
      ...(options.modificationTimeout === undefined
        ? {}
        : { modificationTimeout: options.modificationTimeout }),
      ...(options.logger ? { logger: options.logger } : {}),
      scheduler: held.scheduler,
      registeredAt: (event) => event.timestamp,
      ...(restored ? { initialState: restored.pending } : {}),
    });
    disposeSync = () => sync.dispose();
    try {
      options.onSynchronizer?.(sync);
    } catch (error) {
      options.logger?.error("orion-sync: onSynchronizer threw", error);
    }
    if (
      options.modificationTimeout !== undefined &&
      sync.getModificationTimeout() !== options.modificationTimeout
    ) {
      // A snapshot keeps its writer's timeout; new registrations take this worker's.
      sync.setModificationTimeout(options.modificationTimeout);
    }
    const replayOptions = options.readyOptions ? { readyOptions: options.readyOptions } : {};
    const replayer = new OrionReplayer(
      orionId,
      replayOptions,
      restored && {
        orion: restored.snapshot.orion ?? undefined,
        ended: restored.snapshot.ended ?? undefined,
      },
    );
    let events = 0;
    let ignored = 0;
    let entries = 0;
    let lastId = restored?.snapshot.lastId ?? "0-0";
    for (;;) {
      if (halted !== undefined) throw halted;
      const page = parseEntries(
        await client.call(
          "XRANGE",
          stream,
          lastId === "0-0" ? "-" : `(${lastId}`,
          "+",
          "COUNT",
          REPLAY_PAGE,
        ),
      );
      for (const { id, fields } of page) {
        const decoded = decodeStreamEntry(fields, entryTime(id), limits);
        lastId = id;
        entries++;
        if (!decoded.ok) {
          options.onInvalid?.({ stream, id, fields, error: decoded.error });
        } else if (decoded.event.orionId !== orionId) {
          ignored++; // another orion's entry: not ours to register, answer or replay
        } else {
          events++;
          sync.onEvent(decoded.event);
          replayer.apply(decoded.event);
        }
      }
      if (page.length < REPLAY_PAGE) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (halted !== undefined) throw halted;
    const replayed = replayer.result();
    if (restored === undefined && replayed.orion === undefined && (await trimmed(client, stream))) {
      throw new HistoryLostError(
        orionId,
        `its stream ${stream} was trimmed and its snapshot is gone`,
      );
    }
    // The fold as of `lastId`, before any timer fires: where the compactor starts.
    let folded: PendingState | undefined;
    sync.state$.pipe(take(1)).subscribe((state) => (folded = state));
    const compactor = new Compactor(
      client,
      fence,
      lease,
      {
        orionId,
        stream,
        snapshotKey,
        limits,
        replay: replayOptions,
        retentionMs,
        now: () => scheduler.now(),
      },
      {
        replayer,
        pending: folded as PendingState,
        lastId,
        events: (restored?.snapshot.events ?? 0) + events,
      },
    );
    compactor.sinceSnapshot = entries;
    held.release();
    const recovery: OrionRecovery = {
      events,
      ignored,
      resumed: replayed.orion !== undefined,
      pending: sync.getPendingTaskIds(),
      interrupted: replayed.interrupted,
      lastId,
      snapshot: restored?.snapshot.lastId,
    };
    options.onRecovered?.(recovery);
    if (replayed.orion === undefined && options.requireHistory === true) {
      throw new HistoryLostError(
        orionId,
        `the stream ${stream} has no ORION_STARTED, and requireHistory says the orion ran before`,
      );
    }
    if (replayed.ended !== undefined) {
      return {
        outcome: replayed.ended === "ORION_COMPLETED" ? "completed" : "failed",
        recovery,
        result: undefined,
      };
    }
    // A long replay is not redone by the next worker: compact now (a hand-over too).
    if (snapshotEvery > 0 && entries >= snapshotEvery) {
      const reply = await compactor.write();
      if (reply !== undefined && "refused" in reply) throw refused(reply.refused);
    }
    if (signal?.aborted) return stoppedEarly(recovery);
    if (snapshotEvery > 0) {
      compaction = timer(Math.min(leaseMs, 1000), Math.min(leaseMs, 1000), scheduler).subscribe(
        () => {
          if (compacting !== undefined || halted !== undefined) return;
          compacting = compactor
            .round(snapshotEvery, () => halted !== undefined)
            .then(
              (reply) => {
                if (reply !== undefined && "refused" in reply) halt(refused(reply.refused));
              },
              (error: unknown) => options.logger?.warn("orion-sync: compaction failed", error),
            )
            .finally(() => (compacting = undefined));
        },
      );
    }

    // 3. From here on, this worker writes, every write fenced by its grant; its events
    // reach its synchronizer first.
    let inFlight = 0;
    let drained: (() => void) | undefined;
    // Once one write was sent, the stream exists (an earlier write is ahead on the connection).
    let streamExists = lastId !== "0-0";
    const write = (event: OrionEvent): Promise<void> => {
      if (halted !== undefined) return Promise.reject(halted as Error);
      let fields: string[];
      try {
        fields = encodeForPublish(event, workerId, limits).fields;
      } catch (error) {
        halt(error);
        return Promise.reject(error as Error);
      }
      const mustExist = streamExists;
      streamExists = true;
      inFlight++;
      return fence
        .append(lease, fields, mustExist)
        .then((reply) => {
          if ("refused" in reply) throw refused(reply.refused);
        })
        .catch((error: unknown) => {
          halt(error);
          throw error;
        })
        .finally(() => {
          if (--inFlight === 0) drained?.();
        });
    };
    /** Fenced TASK_STARTED writes, by task: its executeTask waits for its own. */
    const starts = new Map<string, Promise<void>>();
    const recordStart = (event: TaskEvent): Promise<void> => {
      sync.onEvent(event);
      const recorded = write(event);
      recorded.catch(() => undefined); // handled by halt; the task's wait sees it too
      starts.set(event.taskId, recorded);
      return recorded;
    };
    const bus = {
      publish(event: OrionEvent): void {
        // An orchestrator without the recordStart hook publishes starts here.
        if (event.type === "TASK_STARTED") {
          void recordStart(event);
          return;
        }
        sync.onEvent(event);
        write(event).catch(() => undefined); // halt stops the worker
      },
    };
    const executeTask: ExecuteTask = (task, context) =>
      defer(() => {
        const recorded = starts.get(task.id);
        starts.delete(task.id);
        return (
          recorded ??
          Promise.reject(new Error(`orion-sync: the start of task '${task.id}' was not recorded`))
        );
      }).pipe(
        // Only once the broker has the fenced TASK_STARTED: a start not recorded never ran.
        switchMap(() => {
          if (halted !== undefined) throw halted;
          return runTask(options.executeTask, task, context);
        }),
        last(undefined, undefined),
        map((value) => {
          checkResult(task, context.orion, value);
          return value;
        }),
      );
    const checkResult = (task: Task, orion: TaskOrion, value: JsonValue | undefined): void => {
      if (value === undefined) return;
      // The largest completion this result can make: every task newly ready, a long id.
      encodeForPublish(
        {
          type: "TASK_COMPLETED",
          orionId,
          taskId: task.id,
          eventId: "x".repeat(128),
          timestamp: Date.now(),
          result: value,
          newlyReadyTaskIds: Object.keys(orion.tasks),
        },
        workerId,
        limits,
      );
    };

    let orion = replayed.orion ?? options.orion;
    if (orion === undefined) {
      throw new Error(
        `orion-sync: the stream ${stream} has no ORION_STARTED for '${orionId}' and no orion was given`,
      );
    }
    for (const taskId of replayed.interrupted) {
      const transition = completeTask(
        orion,
        taskId,
        { success: false, error: { name: "WorkerInterrupted", message: "its worker stopped" } },
        scheduler.now(),
        options.readyOptions,
      );
      orion = transition.orion;
      bus.publish({
        type: "TASK_FAILED",
        orionId,
        taskId,
        timestamp: scheduler.now(),
        error: { name: "WorkerInterrupted", message: "its worker stopped" },
        newlyReadyTaskIds: transition.newlyReady.map((t) => t.id),
      });
    }
    if (replayed.orion !== undefined) orion = sync.mergeAndSyncOrionStates(orion);

    // 4. Live: the agent's events of this orion from the stream, the orchestrator through
    // the gate.
    const reader = sync.connect(
      fromRedisStream(client, {
        stream,
        from: lastId,
        ignoreOrigin: workerId,
        scheduler,
        maxEntryLength,
        ...(options.onInvalid ? { onInvalid: options.onInvalid } : {}),
      }).pipe(filter((event) => event.orionId === orionId)),
    );
    const start = orion;
    // `recordStart` is the orchestrator's hook for fenced starts (OrchestrateOptions); an
    // orchestrator without it publishes starts on the bus, where they take the same path.
    const orchestrateOptions: OrchestrateOptions & {
      readonly recordStart?: (event: TaskEvent) => Promise<void>;
    } = {
      bus,
      synchronizer: sync,
      executeTask,
      recordStart,
      scheduler,
      ...(options.maxConcurrency === undefined ? {} : { maxConcurrency: options.maxConcurrency }),
      ...(options.readyOptions ? { readyOptions: options.readyOptions } : {}),
    };
    const outcome = await new Promise<OrionWorkerResult>((resolve, reject) => {
      const orchestration = new Subscription();
      const onAbort = (): void => finish(() => resolve(stoppedEarly(recovery)));
      const finish = (settle: () => void): void => {
        orchestration.unsubscribe();
        renewal.unsubscribe();
        compaction?.unsubscribe();
        signal?.removeEventListener("abort", onAbort);
        stop = undefined;
        settle();
      };
      stop = (error) => finish(() => reject(error));
      if (halted !== undefined) {
        stop(halted);
        return;
      }
      signal?.addEventListener("abort", onAbort, { once: true });
      const run = orchestrateOrion(start, orchestrateOptions).subscribe({
        next: (progress) => {
          options.onProgress?.(progress);
          if (progress.kind === "finished") {
            const result = progress.result;
            finish(() =>
              resolve({
                outcome: result.outcome === "completed" ? "completed" : "failed",
                recovery,
                result,
              }),
            );
          }
        },
        error: (error: unknown) => stop?.(error),
      });
      orchestration.add(run);
      if (signal?.aborted) onAbort();
    });
    if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
    reader.unsubscribe();
    if (halted !== undefined) throw halted;
    return outcome;
  } finally {
    renewal.unsubscribe();
    compaction?.unsubscribe();
    disposeSync();
    await compacting;
    await fence.release(lease);
  }
}

/**
 * Whether entries of `stream` were removed (`XTRIM`, or `XDEL`): without a snapshot, a
 * stream that lost its `ORION_STARTED` that way cannot be rebuilt.
 */
async function trimmed(client: RedisStreamClient, stream: string): Promise<boolean> {
  let reply: unknown;
  try {
    reply = await client.call("XINFO", "STREAM", stream);
  } catch {
    return false; // no such stream: a fresh run
  }
  if (!Array.isArray(reply)) return false;
  const fields = reply as unknown[];
  const field = (name: string): number => Number(fields[fields.indexOf(name) + 1]);
  // XTRIM does not move max-deleted-entry-id; fewer entries than were ever added does.
  return field("entries-added") > field("length");
}

/**
 * Runs the caller's `executeTask` as the orchestrator would (a value, a promise or an
 * observable), with a thrown message too long to publish truncated.
 */
function runTask(
  executeTask: ExecuteTask,
  task: Task,
  context: Parameters<ExecuteTask>[1],
): Observable<JsonValue | undefined> {
  return defer(() => {
    const value: unknown = executeTask(task, context);
    if (isObservable(value)) return value as Observable<JsonValue | undefined>;
    if (typeof (value as { then?: unknown } | null)?.then === "function") {
      return from(value as PromiseLike<JsonValue | undefined>);
    }
    return of(value as JsonValue | undefined);
  }).pipe(
    (source) =>
      new Observable<JsonValue | undefined>((subscriber) =>
        source.subscribe({
          next: (value) => subscriber.next(value),
          complete: () => subscriber.complete(),
          error: (error: unknown) => subscriber.error(bounded(error)),
        }),
      ),
  );
}

/** `error`, or a copy with its message truncated if it is too long to publish. */
function bounded(error: unknown): unknown {
  if (!(error instanceof Error) || error.message.length <= MAX_ERROR_MESSAGE) return error;
  const copy = new Error(`${error.message.slice(0, MAX_ERROR_MESSAGE)}… (truncated)`);
  copy.name = error.name;
  return copy;
}
