/**
 * The pure reducer of the pending-modifications fold: `(state, input, now) → state`.
 *
 * It never reads a clock or touches a scheduler (the operator passes `now` in and keeps the
 * timers), so it can be replayed, property-tested against a model, and reused. It returns
 * the same state when an input changes nothing, and a state with the same `last` (and
 * `version`) when only housekeeping changed, so the operator emits neither.
 *
 * The rules, per event (every record is keyed by orion *and* task):
 * - `TASK_COMPLETED` / `TASK_FAILED` registers a modification, unless one is pending (a
 *   duplicate) or the task's modification ended within the last modification timeout and
 *   it has not been started since (a redelivered event: a duplicate too). If the agent
 *   already answered it (an early `ORION_MODIFIED`, see below), it registers and completes
 *   at once.
 * - `ORION_MODIFIED` completes the modification of every listed task of its orion. A listed
 *   task with nothing pending and nothing known is *anticipated*: the answer arrived before
 *   the completion (events out of order), so it is remembered until the modification
 *   timeout, and the late completion does not register a modification nobody will answer.
 *   A listed task whose modification timed out or was cleared is `late`; one already
 *   answered (or anticipated), a duplicate. `newOrion` becomes the current orion.
 * - `TASK_STARTED` forgets an answered or anticipated task, so the completion of this run
 *   registers afresh.
 * - `ORION_STARTED` sets the current orion (and that orion's entry in `orions`).
 *   `ORION_COMPLETED` / `ORION_FAILED` drop the orion from `orions`; its pending entries
 *   stay until answered or timed out, and its records expire on their own.
 * - Anything that fails `parseOrionEvent` is counted in `invalidEvents`.
 * - An event input may carry `at`, when the event happened (a replay from a durable log):
 *   the modification it registers is measured from `min(at, now)`, so it times out
 *   `modificationTimeout` after the event, not after the replay.
 * - Answered records are forgotten one modification timeout after the answer, lazily, when
 *   a later input arrives (no timer), and only the {@link ANSWERED_RECORDS_LIMIT} most
 *   recent are kept, so memory stays bounded however fast events arrive.
 */
import {
  InvalidEventError,
  parseOrionEvent,
  type OrionEvent,
  type OrionModifiedEvent,
  type TaskEvent,
} from "../events.js";
import { describeThrown } from "../internal/describeThrown.js";
import { emptyFifo, fifoNormalise, fifoPush, type Fifo } from "../internal/Fifo.js";
import { PersistentMap } from "../internal/PersistentMap.js";
import type { TaskOrion } from "../orion/types.js";
import {
  pendingKey,
  type AnsweredRecord,
  type PendingEntry,
  type PendingKey,
  type PendingState,
  type PendingStats,
  type PendingTransition,
  type TaskRecord,
} from "./PendingState.js";
import { PendingView } from "./PendingView.js";

/** Something that expires at a deadline on a timer: a pending entry or an anticipation. */
export interface ExpiryCandidate {
  /** Which record's deadline it is. */
  readonly kind: "pending" | "anticipated";
  /** The orion of the record. */
  readonly orionId: string;
  /** The task of the record. */
  readonly taskId: string;
}

/** A command to the fold from its owner (the facade), not from the event bus. */
export type PendingCommand =
  | {
      /** Remove every pending modification, counting them as `countAs` (default `cleared`). */
      readonly kind: "clear";
      /** Which counter the removed entries go to. */
      readonly countAs?: "cleared" | "timed-out";
    }
  | {
      /** Give new registrations this timeout (ms); pending ones keep their deadline. */
      readonly kind: "set-timeout";
      /** The new timeout, in ms: a positive finite number. */
      readonly modificationTimeout: number;
    }
  | {
      /** Make `orion` the current orion (the facade's merge of agent and orchestrator). */
      readonly kind: "set-orion";
      /** The new current orion (of its id). */
      readonly orion: TaskOrion;
    };

/** What the reducer consumes: a bus value, a batch of due deadlines, or a command. */
export type PendingInput =
  | {
      /** A value from the event stream. */
      readonly kind: "event";
      /** The value, validated by the reducer with `parseOrionEvent`. */
      readonly event: unknown;
      /**
       * When the event happened, if known (e.g. replayed from a durable log): a completion
       * it registers is measured from `min(at, now)` instead of `now`, so its deadline is
       * `at + modificationTimeout` and a replayed one may be overdue at once.
       */
      readonly at?: number;
    }
  | {
      /** Deadlines that passed. */
      readonly kind: "expire";
      /** The records whose deadlines passed; stale ones (answered since) are skipped. */
      readonly due: readonly ExpiryCandidate[];
    }
  | PendingCommand;

type Records = PersistentMap<PendingKey, TaskRecord>;

/**
 * How many answered records (completed, timed out, cleared) the fold keeps for duplicate
 * and late detection, at most: the oldest are forgotten first.
 */
export const ANSWERED_RECORDS_LIMIT = 1024;

interface Forget {
  readonly key: PendingKey;
  readonly record: AnsweredRecord;
}

interface InternalState extends PendingState {
  readonly records: Records;
  readonly orions: PersistentMap<string, TaskOrion>;
  readonly pendingCount: number;
  readonly forget: Fifo<Forget>;
  /** The length of `forget` (live and stale entries). */
  readonly forgetLength: number;
}

type Draft = { -readonly [K in keyof InternalState]: InternalState[K] };

const none: readonly never[] = Object.freeze([]);

const zeroStats: PendingStats = Object.freeze({
  totalModifications: 0,
  completedModifications: 0,
  timeoutModifications: 0,
  clearedModifications: 0,
  duplicateEvents: 0,
  unmatchedModifications: 0,
  lateModifications: 0,
  invalidEvents: 0,
});

/** The state before any input: nothing pending, no orion. */
export function initialPendingState(modificationTimeout: number, now: number): PendingState {
  const records: Records = PersistentMap.empty();
  const state: InternalState = {
    version: 0,
    pending: new PendingView(records, 0),
    records,
    pendingCount: 0,
    currentOrion: undefined,
    orions: PersistentMap.empty(),
    modificationTimeout,
    anticipatedCount: 0,
    stats: zeroStats,
    last: { kind: "initial", at: now },
    forget: emptyFifo,
    forgetLength: 0,
  };
  return state;
}

/** A fresh, not yet shared copy of `s` with a new version and transition, to fill in. */
function draft(s: InternalState, last: PendingTransition): Draft {
  return {
    version: s.version + 1,
    pending: s.pending,
    records: s.records,
    pendingCount: s.pendingCount,
    currentOrion: s.currentOrion,
    orions: s.orions,
    modificationTimeout: s.modificationTimeout,
    anticipatedCount: s.anticipatedCount,
    stats: s.stats,
    last,
    forget: s.forget,
    forgetLength: s.forgetLength,
  };
}

/** Sets the records (and pending count) of a draft, refreshing its `pending` view. */
function withRecords(d: Draft, records: Records, pendingCount: number): Draft {
  d.records = records;
  d.pendingCount = pendingCount;
  d.pending = new PendingView(records, pendingCount);
  return d;
}

/** `stats` with `n` added to `key`: a fixed-shape literal, which V8 builds far faster than a spread. */
function count(stats: PendingStats, key: keyof PendingStats, n = 1): PendingStats {
  if (n === 0) return stats;
  return {
    totalModifications: stats.totalModifications + (key === "totalModifications" ? n : 0),
    completedModifications:
      stats.completedModifications + (key === "completedModifications" ? n : 0),
    timeoutModifications: stats.timeoutModifications + (key === "timeoutModifications" ? n : 0),
    clearedModifications: stats.clearedModifications + (key === "clearedModifications" ? n : 0),
    duplicateEvents: stats.duplicateEvents + (key === "duplicateEvents" ? n : 0),
    unmatchedModifications:
      stats.unmatchedModifications + (key === "unmatchedModifications" ? n : 0),
    lateModifications: stats.lateModifications + (key === "lateModifications" ? n : 0),
    invalidEvents: stats.invalidEvents + (key === "invalidEvents" ? n : 0),
  };
}

function answered(
  d: Draft,
  records: Records,
  key: PendingKey,
  orionId: string,
  taskId: string,
  phase: AnsweredRecord["phase"],
  now: number,
): Records {
  const record: AnsweredRecord = {
    phase,
    orionId,
    taskId,
    at: now,
    forgetAt: now + d.modificationTimeout,
  };
  d.forget = fifoPush(d.forget, { key, record });
  d.forgetLength++;
  return records.set(key, record);
}

/**
 * Drops answered records whose window has passed. Returns the same state if there is
 * nothing to do; otherwise a housekeeping state (same version and transition). The queue
 * it materialises is kept even when nothing expired, so each record is reversed once.
 */
function purge(s: InternalState, now: number): InternalState {
  let queue = fifoNormalise(s.forget);
  let length = s.forgetLength;
  let records = s.records;
  while (
    queue.front !== null &&
    (queue.front.head.record.forgetAt <= now || length > ANSWERED_RECORDS_LIMIT)
  ) {
    const { key, record } = queue.front.head;
    if (records.get(key) === record) records = records.delete(key);
    queue = fifoNormalise({ front: queue.front.tail, back: queue.back });
    length--;
  }
  if (queue === s.forget) return s;
  const d = draft(s, s.last);
  d.version = s.version;
  d.forget = queue;
  d.forgetLength = length;
  if (records !== s.records) {
    d.records = records;
    d.pending = new PendingView(records, s.pendingCount);
  }
  return d;
}

/**
 * The record of `key` as the rules see it: an answered record whose window has passed is
 * forgotten even if `purge` has not dropped it yet (it drops in the order records were
 * answered, and a shorter timeout may end a later record's window first).
 */
function known(records: Records, key: PendingKey, now: number): TaskRecord | undefined {
  const record = records.get(key);
  return record !== undefined && "forgetAt" in record && record.forgetAt <= now
    ? undefined
    : record;
}

function ignoreDuplicate(s: InternalState, event: unknown, now: number): PendingState {
  const d = draft(s, { kind: "ignored", reason: "duplicate", event, at: now });
  d.stats = count(s.stats, "duplicateEvents");
  return d;
}

function onTaskEnded(
  s: InternalState,
  event: TaskEvent & { readonly type: "TASK_COMPLETED" | "TASK_FAILED" },
  now: number,
  at: number | undefined,
): PendingState {
  const { orionId, taskId } = event;
  const key = pendingKey(orionId, taskId);
  const record = known(s.records, key, now);
  if (record !== undefined && record.phase !== "anticipated") return ignoreDuplicate(s, event, now);
  const registeredAt = at !== undefined && Number.isFinite(at) && at < now ? at : now;
  const entry: PendingEntry = {
    phase: "pending",
    orionId,
    taskId,
    cause: event.type,
    registeredAt,
    deadline: registeredAt + s.modificationTimeout,
  };
  if (record === undefined) {
    const d = draft(s, { kind: "registered", at: now, entry });
    d.stats = count(s.stats, "totalModifications");
    return withRecords(d, s.records.set(key, entry), s.pendingCount + 1);
  }
  const d = draft(s, {
    kind: "completed",
    at: now,
    orionId,
    trigger: event.type,
    entries: [entry],
    anticipated: none,
    duplicates: none,
    late: none,
    orionUpdated: false,
  });
  d.stats = count(count(s.stats, "totalModifications"), "completedModifications");
  d.anticipatedCount = s.anticipatedCount - 1;
  return withRecords(
    d,
    answered(d, s.records, key, orionId, taskId, "completed", now),
    s.pendingCount,
  );
}

function onTaskStarted(s: InternalState, event: TaskEvent, now: number): PendingState {
  const key = pendingKey(event.orionId, event.taskId);
  const record = known(s.records, key, now);
  if (record === undefined || record.phase === "pending") return s;
  const d = draft(s, { kind: "restarted", at: now, orionId: event.orionId, taskId: event.taskId });
  if (record.phase === "anticipated") d.anticipatedCount = s.anticipatedCount - 1;
  return withRecords(d, s.records.delete(key), s.pendingCount);
}

function onModified(s: InternalState, event: OrionModifiedEvent, now: number): PendingState {
  const { orionId } = event;
  const ids = event.onTaskIds.length === 1 ? event.onTaskIds : new Set(event.onTaskIds);
  let entries: PendingEntry[] | readonly never[] = none;
  let anticipated: string[] | readonly never[] = none;
  let duplicates: string[] | readonly never[] = none;
  let late: string[] | readonly never[] = none;
  const d = draft(s, s.last);
  let records = s.records;
  for (const taskId of ids) {
    const key = pendingKey(orionId, taskId);
    const record = known(records, key, now);
    if (record === undefined) {
      records = records.set(key, {
        phase: "anticipated",
        orionId,
        taskId,
        at: now,
        deadline: now + s.modificationTimeout,
      });
      (anticipated === none ? (anticipated = []) : (anticipated as string[])).push(taskId);
    } else if (record.phase === "pending") {
      records = answered(d, records, key, orionId, taskId, "completed", now);
      (entries === none ? (entries = []) : (entries as PendingEntry[])).push(record);
    } else if (record.phase === "timed-out" || record.phase === "cleared") {
      (late === none ? (late = []) : (late as string[])).push(taskId);
    } else {
      (duplicates === none ? (duplicates = []) : (duplicates as string[])).push(taskId);
    }
  }
  const currentOrion: TaskOrion | undefined = event.newOrion ?? s.currentOrion;
  d.last = {
    kind: "completed",
    at: now,
    orionId,
    trigger: "ORION_MODIFIED",
    entries,
    anticipated,
    duplicates,
    late,
    orionUpdated: event.newOrion !== undefined,
  };
  d.currentOrion = currentOrion;
  if (event.newOrion !== undefined) d.orions = s.orions.set(orionId, event.newOrion);
  d.anticipatedCount = s.anticipatedCount + anticipated.length;
  let stats = s.stats;
  stats = count(stats, "completedModifications", entries.length);
  stats = count(stats, "unmatchedModifications", anticipated.length);
  stats = count(stats, "duplicateEvents", duplicates.length);
  d.stats = count(stats, "lateModifications", late.length);
  return records === s.records ? d : withRecords(d, records, s.pendingCount - entries.length);
}

function onExpire(s: InternalState, due: readonly ExpiryCandidate[], now: number): PendingState {
  let records = s.records;
  const d = draft(s, s.last);
  const entries: PendingEntry[] = [];
  const forgotten: { orionId: string; taskId: string }[] = [];
  for (const { kind, orionId, taskId } of due) {
    const key = pendingKey(orionId, taskId);
    const record = records.get(key);
    if (record === undefined || record.phase !== kind || record.deadline > now) continue;
    if (record.phase === "pending") {
      records = answered(d, records, key, orionId, taskId, "timed-out", now);
      entries.push(record);
    } else {
      records = records.delete(key);
      forgotten.push({ orionId, taskId });
    }
  }
  if (entries.length === 0 && forgotten.length === 0) return s;
  d.last = { kind: "timed-out", at: now, entries, forgotten };
  d.stats = count(s.stats, "timeoutModifications", entries.length);
  d.anticipatedCount = s.anticipatedCount - forgotten.length;
  return withRecords(d, records, s.pendingCount - entries.length);
}

function onClear(s: InternalState, countAs: "cleared" | "timed-out", now: number): PendingState {
  if (s.pendingCount === 0) return s;
  const entries = Array.from(s.pending.values());
  const d = draft(s, { kind: "cleared", at: now, entries, countedAs: countAs });
  let records = s.records;
  for (const { orionId, taskId } of entries) {
    records = answered(d, records, pendingKey(orionId, taskId), orionId, taskId, countAs, now);
  }
  d.stats = count(
    s.stats,
    countAs === "cleared" ? "clearedModifications" : "timeoutModifications",
    entries.length,
  );
  return withRecords(d, records, 0);
}

function ignoreInvalid(
  s: InternalState,
  value: unknown,
  error: InvalidEventError,
  now: number,
): PendingState {
  const d = draft(s, { kind: "ignored", reason: "invalid", event: value, error, at: now });
  d.stats = count(s.stats, "invalidEvents");
  return d;
}

function onEvent(
  s: InternalState,
  value: unknown,
  now: number,
  at: number | undefined,
): PendingState {
  const event = parseOrionEvent(value);
  // The parse returns the value itself or a new error: `instanceof` on the value could throw
  // (a prototype chain through a proxy).
  if (event !== value) return ignoreInvalid(s, value, event as InvalidEventError, now);
  try {
    return applyEvent(s, event as OrionEvent, now, at);
  } catch (error) {
    // A value that passed the parse but throws when read again (a getter, a proxy): the
    // handlers are pure, so `s` is intact; the value is invalid, not the stream's end.
    return ignoreInvalid(s, value, unreadable(error), now);
  }
}

function unreadable(error: unknown): InvalidEventError {
  return new InvalidEventError("unreadable", "", `reading it threw ${describeThrown(error)}`);
}

function applyEvent(
  s: InternalState,
  event: OrionEvent,
  now: number,
  at: number | undefined,
): PendingState {
  switch (event.type) {
    case "TASK_COMPLETED":
    case "TASK_FAILED":
      return onTaskEnded(
        s,
        event as TaskEvent & { readonly type: "TASK_COMPLETED" | "TASK_FAILED" },
        now,
        at,
      );
    case "TASK_STARTED":
      return onTaskStarted(s, event, now);
    case "ORION_MODIFIED":
      return onModified(s, event, now);
    case "ORION_STARTED": {
      const d = draft(s, { kind: "orion", at: now, orionId: event.orionId, event: event.type });
      d.currentOrion = event.orion;
      d.orions = s.orions.set(event.orionId, event.orion);
      return d;
    }
    case "ORION_COMPLETED":
    case "ORION_FAILED": {
      const d = draft(s, { kind: "orion", at: now, orionId: event.orionId, event: event.type });
      d.orions = s.orions.delete(event.orionId);
      return d;
    }
  }
}

/**
 * Applies one input to a state made by {@link initialPendingState} (or by this function)
 * and returns the next state: `state` itself when nothing changed, a state with the same
 * `version` and `last` when only housekeeping did. See the module comment for the rules.
 */
export function reducePending(state: PendingState, input: PendingInput, now: number): PendingState {
  const s = purge(state as InternalState, now);
  switch (input.kind) {
    case "event":
      return onEvent(s, input.event, now, input.at);
    case "expire":
      return onExpire(s, input.due, now);
    case "clear":
      return onClear(s, input.countAs ?? "cleared", now);
    case "set-orion": {
      if (input.orion === s.currentOrion && input.orion === s.orions.get(input.orion.id)) return s;
      const d = draft(s, { kind: "orion", at: now, orionId: input.orion.id, event: "SET" });
      d.currentOrion = input.orion;
      d.orions = s.orions.set(input.orion.id, input.orion);
      return d;
    }
    case "set-timeout": {
      if (input.modificationTimeout === s.modificationTimeout) return s;
      const d = draft(s, {
        kind: "timeout-changed",
        at: now,
        modificationTimeout: input.modificationTimeout,
      });
      d.modificationTimeout = input.modificationTimeout;
      return d;
    }
  }
}
