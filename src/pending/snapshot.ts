/**
 * Snapshots of the pending-modifications fold: a {@link PendingState} as plain JSON, and
 * back, so a durable log can be compacted (see `orion-sync/redis`): recovery is then a
 * restored snapshot plus the log's tail, instead of the whole log.
 *
 * A snapshot is exact: it keeps every record the fold's rules read (pending entries with
 * their younger `later` ones, anticipations, recently answered tasks, remembered event ids)
 * and the order in which they are forgotten, so the restored state answers every later
 * input as the original would (the round-trip property test checks this). Only `last` is
 * not kept: a restored state's transition is `initial`. Its size is bounded by the fold's
 * own limits (`ANSWERED_RECORDS_LIMIT` answered tasks, whose forget queue may hold up to
 * twice as many entries, stale ones included; `SEEN_EVENTS_LIMIT` event ids).
 */
import { parseOrionEvent } from "../events.js";
import { LogQueue } from "../internal/LogQueue.js";
import { PersistentMap } from "../internal/PersistentMap.js";
import type { TaskOrion } from "../orion/types.js";
import { EventIdMap } from "./EventIdMap.js";
import { parsePendingKey } from "./keys.js";
import {
  eventKey,
  pendingKey,
  type AnsweredRecord,
  type EventRecord,
  type OrionSummary,
  type PendingEntry,
  type PendingKey,
  type PendingScope,
  type PendingState,
  type PendingStats,
  type TaskRecord,
} from "./PendingState.js";
import { PendingView } from "./PendingView.js";

/** The `format` of the snapshots this version writes and reads. */
export const PENDING_SNAPSHOT_FORMAT = "orion-sync/pending@1";

/** An event id the fold remembers: `[key, phase, taskId or null, forgetAt]`. */
export type EventRecordSnapshot = readonly [
  key: string,
  phase: EventRecord["phase"],
  taskId: string | null,
  forgetAt: number,
];

/**
 * One entry of a forget queue, oldest first: `[key]` when it is the record the map holds
 * for `key` now, `[key, forgetAt]` when the map's record was replaced or deleted since (a
 * stale entry: kept so that the restored queue is the same queue, and, in the event ids'
 * queue, because it still counts towards `SEEN_EVENTS_LIMIT`; the answered records' limit
 * counts the records held).
 */
export type ForgetSnapshot = readonly [key: string] | readonly [key: string, forgetAt: number];

/** A {@link PendingState} as plain JSON: see {@link snapshotPendingState}. */
export interface PendingSnapshot {
  /** Always {@link PENDING_SNAPSHOT_FORMAT}. */
  readonly format: typeof PENDING_SNAPSHOT_FORMAT;
  /** The state's `version`: a restored fold continues from it. */
  readonly version: number;
  /** The state's `lastChange`. */
  readonly lastChange: number;
  /** The timeout of new registrations, in ms. */
  readonly modificationTimeout: number;
  /** The counters since the fold started. */
  readonly stats: PendingStats;
  /**
   * Every task record in the fold's order: pending entries (with `later`, `seq`, `eventId`,
   * `cause`, `registeredAt`, `deadline`, `restarted`), anticipations and answered records.
   */
  readonly records: readonly unknown[];
  /**
   * The per-orion summaries, `[orionId, { pending, lastChange }]` (their scope accounting
   * is rebuilt from `records`).
   */
  readonly byOrion: readonly (readonly [
    string,
    { readonly pending: number; readonly lastChange: number },
  ])[];
  /** The remembered event ids, in the fold's order (those of pending modifications included). */
  readonly events: readonly EventRecordSnapshot[];
  /** The current orion of each orion id (not ended), in the fold's order. */
  readonly orions: readonly TaskOrion[];
  /** `currentOrion`: the id of one of `orions` when it is that object, else the orion itself. */
  readonly currentOrion: { readonly id: string } | { readonly orion: TaskOrion } | null;
  /** When answered records are forgotten, oldest first (keys of `records`). */
  readonly forget: readonly ForgetSnapshot[];
  /** When event ids are forgotten, oldest first (keys of `events`). */
  readonly eventForget: readonly ForgetSnapshot[];
}

/** Options of {@link snapshotPendingState}. */
export interface SnapshotOptions {
  /**
   * Keep at most this many remembered event ids (the newest; those of owed modifications
   * always), as the fold itself does past `SEEN_EVENTS_LIMIT`: a smaller, faster snapshot
   * that recognises fewer old redeliveries by id. Default: all (an exact snapshot).
   */
  readonly maxEventIds?: number;
}

/** The fold's internal fields (see `reducePending`), which a restored state must carry. */
interface Internal extends PendingState {
  readonly records: PersistentMap<PendingKey, TaskRecord>;
  readonly events: EventIdMap;
  readonly orions: PersistentMap<string, TaskOrion>;
  readonly byOrion: PersistentMap<string, OrionSummary>;
  readonly pendingCount: number;
  readonly forget: LogQueue<PendingKey, AnsweredRecord>;
  /** By event id; the record names its orion. */
  readonly eventForget: LogQueue<string, EventRecord>;
}

function queueItems<K, R>(queue: LogQueue<K, R> | undefined): { key: K; value: R }[] {
  return queue === undefined ? [] : queue.entries();
}

/**
 * `state` as plain JSON (`JSON.stringify` keeps it whole). O(records + event ids); the
 * state is not changed. Exact unless `options.maxEventIds` bounds the event ids kept. `state` must come from `reducePending` / `initialPendingState` or
 * {@link restorePendingState}.
 */
export function snapshotPendingState(
  state: PendingState,
  options: SnapshotOptions = {},
): PendingSnapshot {
  const s = state as Internal;
  const records = Array.from(s.records.values(), encodeRecord);
  // Keyed as the snapshot keys events (`eventKey`), not as the fold's queue (by event id).
  let eventQueue = queueItems(s.eventForget).map(({ key, value }) => ({
    key: eventKey(value.orionId, key),
    value,
  }));
  const dropped = new Set<string>();
  const max = options.maxEventIds;
  if (max !== undefined && eventQueue.length > max) {
    // As the fold's purge does past its limit: the oldest go, those of owed modifications stay.
    const cut = eventQueue.length - max;
    for (const { key, value } of eventQueue.slice(0, cut)) {
      if (s.events.get(key) === value && value.phase !== "pending") dropped.add(key);
    }
    eventQueue = eventQueue.slice(cut);
  }
  const events: EventRecordSnapshot[] = [];
  for (const [key, record] of s.events) {
    if (dropped.has(key)) continue;
    events.push([key, record.phase, record.taskId ?? null, record.forgetAt]);
  }
  const orions = Array.from(s.orions.values());
  const current = s.currentOrion;
  const forget = (
    items: readonly { key: PendingKey; value: { forgetAt: number } }[],
    map: ReadonlyMap<PendingKey, unknown>,
  ): ForgetSnapshot[] =>
    items.map(({ key, value }) => (map.get(key) === value ? [key] : [key, value.forgetAt]));
  return {
    format: PENDING_SNAPSHOT_FORMAT,
    version: s.version,
    lastChange: s.lastChange,
    modificationTimeout: s.modificationTimeout,
    stats: { ...s.stats },
    records,
    byOrion: Array.from(s.byOrion.entries(), ([orionId, { pending, lastChange }]) => [
      orionId,
      { pending, lastChange },
    ]),
    events,
    orions,
    currentOrion:
      current === undefined
        ? null
        : s.orions.get(current.id) === current
          ? { id: current.id }
          : { orion: current },
    forget: forget(queueItems(s.forget), s.records),
    eventForget: forget(eventQueue, s.events),
  };
}

/** Thrown by {@link restorePendingState} for a value that is not a valid snapshot. */
export class InvalidPendingSnapshotError extends Error {
  override readonly name = "InvalidPendingSnapshotError";
}

function fail(why: string): never {
  throw new InvalidPendingSnapshotError(`orion-sync: not a pending-state snapshot: ${why}`);
}

const isNumber = (value: unknown): value is number =>
  typeof value === "number" && Number.isFinite(value);
const isString = (value: unknown): value is string => typeof value === "string";

/** A scope as JSON: `'orion'`, or its task ids and the ids of its base orion's tasks. */
type ScopeSnapshot = "orion" | { readonly taskIds: string[]; readonly base: string[] | null };

function encodeScope(scope: PendingScope): ScopeSnapshot {
  return scope === "orion"
    ? "orion"
    : {
        taskIds: [...scope.taskIds],
        base: scope.base === undefined ? null : Object.keys(scope.base),
      };
}

function decodeScope(value: unknown): PendingScope {
  if (value === undefined || value === "orion") return "orion";
  const v = value as { taskIds?: unknown; base?: unknown } | null;
  if (
    typeof v !== "object" ||
    v === null ||
    !Array.isArray(v.taskIds) ||
    !v.taskIds.every(isString) ||
    (v.base !== null && !(Array.isArray(v.base) && v.base.every(isString)))
  ) {
    fail("a pending entry's scope is malformed");
  }
  const base =
    v.base === null
      ? undefined
      : Object.fromEntries((v.base as string[]).map((id) => [id, true] as const));
  return { taskIds: new Set(v.taskIds as string[]), base };
}

/** A task record as JSON: a pending entry's scopes encoded, the rest as it is. */
function encodeRecord(record: TaskRecord): unknown {
  if (record.phase !== "pending") return record;
  const entry = (e: PendingEntry): unknown => ({ ...e, scope: encodeScope(e.scope) });
  return { ...(entry(record) as object), later: record.later.map(entry) };
}

function checkEntry(value: unknown, nested: boolean): PendingEntry {
  const e = value as Partial<PendingEntry> | null;
  if (
    typeof e !== "object" ||
    e === null ||
    e.phase !== "pending" ||
    !isString(e.orionId) ||
    !isString(e.taskId) ||
    (e.cause !== "TASK_COMPLETED" && e.cause !== "TASK_FAILED") ||
    !isNumber(e.registeredAt) ||
    !isNumber(e.deadline) ||
    !isNumber(e.seq) ||
    (e.eventId !== undefined && !isString(e.eventId)) ||
    typeof e.restarted !== "boolean" ||
    !Array.isArray(e.later) ||
    (nested && e.later.length > 0)
  ) {
    fail("a pending entry is malformed");
  }
  return {
    phase: "pending",
    orionId: e.orionId,
    taskId: e.taskId,
    cause: e.cause,
    registeredAt: e.registeredAt,
    deadline: e.deadline,
    ...(e.eventId === undefined ? {} : { eventId: e.eventId }),
    seq: e.seq,
    later: e.later.map((later) => checkEntry(later, true)),
    restarted: e.restarted,
    scope: decodeScope(e.scope),
    declared: e.declared === true,
    overdue: e.overdue === true,
  };
}

function checkRecord(value: unknown): TaskRecord {
  const r = value as { phase?: unknown; orionId?: unknown; taskId?: unknown } | null;
  if (typeof r !== "object" || r === null || !isString(r.orionId) || !isString(r.taskId)) {
    fail("a task record is malformed");
  }
  if (r.phase === "pending") return checkEntry(r, false);
  if (r.phase === "anticipated") {
    const a = r as { at?: unknown; deadline?: unknown };
    if (!isNumber(a.at) || !isNumber(a.deadline)) fail("an anticipation is malformed");
    return {
      phase: "anticipated",
      orionId: r.orionId,
      taskId: r.taskId,
      at: a.at,
      deadline: a.deadline,
    };
  }
  if (r.phase === "completed" || r.phase === "timed-out" || r.phase === "cleared") {
    const a = r as { at?: unknown; forgetAt?: unknown };
    if (!isNumber(a.at) || !isNumber(a.forgetAt)) fail("an answered record is malformed");
    return { phase: r.phase, orionId: r.orionId, taskId: r.taskId, at: a.at, forgetAt: a.forgetAt };
  }
  return fail(`unknown record phase ${JSON.stringify(r.phase)}`);
}

const EVENT_PHASES: ReadonlySet<unknown> = new Set([
  "seen",
  "pending",
  "completed",
  "timed-out",
  "cleared",
  "anticipated",
]);

const STAT_KEYS: readonly (keyof PendingStats)[] = [
  "totalModifications",
  "completedModifications",
  "timeoutModifications",
  "clearedModifications",
  "duplicateEvents",
  "unmatchedModifications",
  "lateModifications",
  "invalidEvents",
];

function checkOrion(value: unknown): TaskOrion {
  const id = (value as { id?: unknown } | null)?.id;
  // The event parser's checks of an orion (shape, depth, size), on the snapshot's.
  const parsed = parseOrionEvent({
    type: "ORION_STARTED",
    orionId: isString(id) ? id : "",
    timestamp: 0,
    orion: value,
  });
  if (parsed instanceof Error) fail(`an orion is invalid: ${parsed.message}`);
  return value as TaskOrion;
}

/**
 * Rebuilds a forget queue from its snapshot; `live` gives the map's record for a key, `queueKey`
 * the queue's key for a snapshot's key.
 */
function restoreQueue<R extends { readonly forgetAt: number }, K>(
  items: unknown,
  live: (key: PendingKey) => R | undefined,
  stale: (key: PendingKey, forgetAt: number) => R,
  queueKey: (key: PendingKey) => K,
): LogQueue<K, R> {
  if (!Array.isArray(items)) fail("a forget queue is not an array");
  let queue = LogQueue.empty<K, R>();
  const used = new Set<string>();
  for (const item of items as unknown[]) {
    if (!Array.isArray(item) || !isString(item[0])) fail("a forget queue entry is malformed");
    const key = item[0] as PendingKey;
    let record: R | undefined;
    if (item.length === 1) {
      // A live entry: the very object the map holds, once (the fold pushes each once).
      record = used.has(key) ? undefined : live(key);
      if (record === undefined) fail(`a forget queue names an unknown or repeated key`);
      used.add(key);
    } else if (isNumber(item[1])) {
      record = stale(key, item[1]);
    } else {
      fail("a forget queue entry is malformed");
    }
    queue = queue.push(queueKey(key), record);
  }
  return queue;
}

/**
 * The state a snapshot was taken of, as `reducePending` needs it (every internal invariant
 * rebuilt: the pending view and count, `owedCount`, `anticipatedCount`, the forget queues),
 * with transition `{ kind: "initial", at: now }` and the snapshot's `version`. Feed it to
 * `pendingModifications({ initialState })` (or the facade's `initialState`), which arms the
 * timers of its deadlines.
 *
 * @throws InvalidPendingSnapshotError if `snapshot` is not one {@link snapshotPendingState}
 *   made (checked: shape, counts against `byOrion`, queue keys, orions).
 */
export function restorePendingState(snapshot: PendingSnapshot, now: number): PendingState {
  const snap = snapshot as Partial<PendingSnapshot> | null;
  if (typeof snap !== "object" || snap === null || snap.format !== PENDING_SNAPSHOT_FORMAT) {
    fail(`format is not ${PENDING_SNAPSHOT_FORMAT}`);
  }
  if (!isNumber(snap.version) || !isNumber(snap.lastChange)) fail("version is not a number");
  if (!isNumber(snap.modificationTimeout) || snap.modificationTimeout <= 0) {
    fail("modificationTimeout is not a positive number");
  }
  const statsIn = snap.stats as Record<string, unknown> | undefined;
  if (typeof statsIn !== "object" || statsIn === null) fail("stats are missing");
  const stats = {} as Record<keyof PendingStats, number>;
  for (const key of STAT_KEYS) {
    const n = statsIn[key];
    if (!isNumber(n)) fail(`stats.${key} is not a number`);
    stats[key] = n;
  }
  if (
    !Array.isArray(snap.records) ||
    !Array.isArray(snap.events) ||
    !Array.isArray(snap.byOrion) ||
    !Array.isArray(snap.orions)
  ) {
    fail("records, events, byOrion or orions is not an array");
  }

  let records = PersistentMap.empty<PendingKey, TaskRecord>();
  let pendingCount = 0;
  let owedCount = 0;
  let anticipatedCount = 0;
  const pendingByOrion = new Map<string, number>();
  for (const value of snap.records as unknown[]) {
    const record = checkRecord(value);
    const key = pendingKey(record.orionId, record.taskId);
    if (records.has(key)) fail("two records of one task");
    records = records.set(key, record);
    if (record.phase === "pending") {
      pendingCount++;
      owedCount += 1 + record.later.length;
      pendingByOrion.set(record.orionId, (pendingByOrion.get(record.orionId) ?? 0) + 1);
    } else if (record.phase === "anticipated") {
      anticipatedCount++;
    }
  }

  let byOrion = PersistentMap.empty<string, OrionSummary>();
  for (const item of snap.byOrion as unknown[]) {
    const [orionId, summary] = Array.isArray(item) ? (item as unknown[]) : [];
    const sum = summary as Partial<OrionSummary> | undefined;
    if (!isString(orionId) || !isNumber(sum?.pending) || !isNumber(sum.lastChange)) {
      fail("a byOrion entry is malformed");
    }
    if (sum.pending !== (pendingByOrion.get(orionId) ?? 0)) {
      fail(`byOrion says ${sum.pending} tasks of '${orionId}' are pending, the records differ`);
    }
    byOrion = byOrion.set(orionId, {
      pending: sum.pending,
      lastChange: sum.lastChange,
      wholeOrion: 0,
      scoped: [],
    });
  }
  for (const orionId of pendingByOrion.keys()) {
    if (!byOrion.has(orionId)) fail(`'${orionId}' has pending records and no byOrion entry`);
  }
  // The scope accounting, rebuilt from the owed modifications, oldest registration first.
  const owed: PendingEntry[] = [];
  for (const record of records.values()) {
    if (record.phase !== "pending") continue;
    owed.push({ ...record, later: [] }, ...record.later);
  }
  owed.sort((a, b) => a.seq - b.seq);
  for (const entry of owed) {
    const sum = byOrion.get(entry.orionId) as OrionSummary;
    byOrion = byOrion.set(
      entry.orionId,
      entry.scope === "orion"
        ? { ...sum, wholeOrion: sum.wholeOrion + 1 }
        : { ...sum, scoped: [...sum.scoped, entry] },
    );
  }

  let events = EventIdMap.empty();
  for (const item of snap.events as unknown[]) {
    const [key, phase, taskId, forgetAt] = Array.isArray(item) ? (item as unknown[]) : [];
    const ids = isString(key) ? parsePendingKey(key) : undefined;
    if (
      ids === undefined ||
      !EVENT_PHASES.has(phase) ||
      (taskId !== null && !isString(taskId)) ||
      !isNumber(forgetAt)
    ) {
      fail("an event record is malformed");
    }
    if (events.find(ids.orionId, ids.id) !== undefined) fail("two records of one event");
    events = events.with(ids.id, {
      phase: phase as EventRecord["phase"],
      orionId: ids.orionId,
      taskId: taskId ?? undefined,
      forgetAt,
    });
  }

  let orions = PersistentMap.empty<string, TaskOrion>();
  for (const value of snap.orions as unknown[]) {
    const orion = checkOrion(value);
    orions = orions.set(orion.id, orion);
  }
  let currentOrion: TaskOrion | undefined;
  const current = snap.currentOrion as { id?: unknown; orion?: unknown } | null | undefined;
  if (current === null) {
    currentOrion = undefined;
  } else if (typeof current === "object" && isString(current.id)) {
    currentOrion = orions.get(current.id);
    if (currentOrion === undefined) fail("currentOrion names an orion not in orions");
  } else if (typeof current === "object" && current.orion !== undefined) {
    currentOrion = checkOrion(current.orion);
  } else {
    fail("currentOrion is malformed");
  }

  const forget = restoreQueue<AnsweredRecord, PendingKey>(
    snap.forget,
    (key) => {
      const record = records.get(key);
      return record !== undefined && "forgetAt" in record ? record : undefined;
    },
    // A stale entry is only ever compared by identity (never equal) and read for forgetAt.
    (key, forgetAt) => ({ phase: "completed", orionId: "", taskId: key, at: forgetAt, forgetAt }),
    (key) => key,
  );
  const eventForget = restoreQueue<EventRecord, string>(
    snap.eventForget,
    (key) => events.get(key),
    (key, forgetAt) => {
      const ids = parsePendingKey(key);
      if (ids === undefined) fail("a forget queue names a key that is not an event's");
      return { phase: "seen", orionId: ids.orionId, taskId: undefined, forgetAt };
    },
    (key) => (parsePendingKey(key) as { readonly id: string }).id,
  );

  const state: Internal = {
    version: snap.version,
    pending: new PendingView(records, pendingCount),
    records,
    pendingCount,
    owedCount,
    lastChange: snap.lastChange,
    byOrion,
    events,
    currentOrion,
    orions,
    modificationTimeout: snap.modificationTimeout,
    anticipatedCount,
    stats,
    last: { kind: "initial", at: now },
    forget,
    eventForget,
  };
  return state;
}
