/**
 * The pure reducer of the pending-modifications fold: `(state, input, now) → state`.
 *
 * It never reads a clock or touches a scheduler (the operator passes `now` in and keeps the
 * timers), so it can be replayed, property-tested against a model, and reused. It returns
 * the same state when an input changes nothing, and a state with the same `last` (and
 * `version`) when only housekeeping changed, so the operator emits neither.
 *
 * The rules, per event (every record is keyed by orion *and* task, every event id by orion):
 * - An event whose `eventId` the fold has seen (within its memory) is a duplicate, whatever
 *   arrived in between: a redelivery changes nothing but `duplicateEvents`.
 * - `TASK_COMPLETED` / `TASK_FAILED` registers a modification. Without an id, it is a
 *   duplicate if one is pending for the task and the task has not started again since, or
 *   if the task's modification ended within the last modification timeout and it has not
 *   been started since (a redelivered event). With a new id it always registers: a task
 *   that ends again while an earlier modification is owed (a retry) queues a second one,
 *   and each needs its own answer. If the agent already answered it (an early
 *   `ORION_MODIFIED` naming its task, or its event id), it registers and completes at once.
 * - `ORION_MODIFIED` with `onEventIds` completes exactly the modifications those events
 *   registered; without, for each task in `onTaskIds`, the task's oldest owed modification.
 *   A named task (or event) with nothing pending and nothing known is *anticipated*: the
 *   answer arrived before the completion (events out of order), so it is remembered until
 *   the modification timeout, and the late completion does not register a modification
 *   nobody will answer. A named one whose modification timed out or was cleared is `late`;
 *   one already answered (or anticipated), a duplicate. `newOrion` becomes the current orion.
 * - `TASK_STARTED` forgets an answered or anticipated task, so the completion of this run
 *   registers afresh; on a task with a modification owed it marks it restarted.
 * - `ORION_STARTED` sets the current orion (and that orion's entry in `orions`).
 *   `ORION_COMPLETED` / `ORION_FAILED` drop the orion from `orions`; its pending entries
 *   stay until answered or timed out, and its records expire on their own.
 * - An event with an id that changes nothing else is remembered (a `seen` transition), so a
 *   gate holding a value computed after it can tell the fold has seen it.
 * - Anything that fails `parseOrionEvent` is counted in `invalidEvents`.
 * - An event input may carry `at`, when the event happened (a replay from a durable log):
 *   the modification it registers is measured from `min(at, now)`, so it times out
 *   `modificationTimeout` after the event, not after the replay.
 * - A `clear` command with `registeredBefore` removes only the modifications whose `seq` is
 *   at most that: a wait clears what was pending for its whole duration, never what
 *   registered after it began.
 * - Answered records are forgotten one modification timeout after the answer, lazily, when
 *   a later input arrives (no timer), and only the {@link ANSWERED_RECORDS_LIMIT} most
 *   recent are kept; event ids likewise, up to {@link SEEN_EVENTS_LIMIT} (an id whose
 *   modification is still owed is kept until it ends). Memory stays bounded however fast
 *   events arrive.
 */
import {
  answeredEventIds,
  eventIdOf,
  InvalidEventError,
  readOrionEvent,
  type OrionEvent,
  type OrionModifiedEvent,
  type OrionModifyingEvent,
  type TaskEvent,
} from "../events.js";
import { getDescendants } from "../orion/getDescendants.js";
import { describeThrown } from "../internal/describeThrown.js";
import { LogQueue } from "../internal/LogQueue.js";
import { PersistentMap } from "../internal/PersistentMap.js";
import type { TaskOrion } from "../orion/types.js";
import { EventIdMap } from "./EventIdMap.js";
import {
  pendingKey,
  type AnsweredRecord,
  type EventRecord,
  type OrionSummary,
  type PendingEntry,
  type PendingKey,
  type PendingScope,
  type PendingState,
  type ScopePolicy,
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
      /** Remove pending modifications, counting them as `countAs` (default `cleared`). */
      readonly kind: "clear";
      /** Which counter the removed entries go to. */
      readonly countAs?: "cleared" | "timed-out";
      /** Only modifications whose `seq` is at most this (a wait's start). Default: all. */
      readonly registeredBefore?: number;
      /** Only this orion's. Default: every orion's. */
      readonly orionId?: string;
      /** The timeout of the wait that clears, for the transition (and the log). */
      readonly waitTimeout?: number;
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
      /** Which tasks a modification it registers holds. Default `'orion'`. */
      readonly scope?: ScopePolicy;
    }
  | {
      /** Deadlines that passed. */
      readonly kind: "expire";
      /** The records whose deadlines passed; stale ones (answered since) are skipped. */
      readonly due: readonly ExpiryCandidate[];
      /**
       * The `'hold'` timeout policy: a modification past its deadline stays owed (and holds
       * its scope), reported as `overdue`, instead of timing out.
       */
      readonly hold?: boolean;
    }
  | PendingCommand;

type Records = PersistentMap<PendingKey, TaskRecord>;
type Events = EventIdMap;

/**
 * How many answered records (completed, timed out, cleared) the fold keeps for duplicate
 * and late detection, at most: the oldest are forgotten first.
 */
export const ANSWERED_RECORDS_LIMIT = 1024;

/**
 * How many event ids the fold remembers, at most (besides those whose modification is
 * still owed): the oldest are forgotten first. A gate asks about an event right after it
 * was published, so this only needs to cover one burst.
 */
export const SEEN_EVENTS_LIMIT = 65_536;

interface InternalState extends PendingState {
  readonly records: Records;
  readonly orions: PersistentMap<string, TaskOrion>;
  readonly byOrion: PersistentMap<string, OrionSummary>;
  readonly events: Events;
  readonly pendingCount: number;
  /** Answered records in the order they are forgotten (live and stale entries). */
  readonly forget: LogQueue<PendingKey, AnsweredRecord>;
  /** Event records likewise, by event id (the record names its orion). */
  readonly eventForget: LogQueue<string, EventRecord>;
}

type Draft = { -readonly [K in keyof InternalState]: InternalState[K] };

type TaskEnded = TaskEvent & { readonly type: "TASK_COMPLETED" | "TASK_FAILED" };

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
    owedCount: 0,
    lastChange: 0,
    byOrion: PersistentMap.empty(),
    events: EventIdMap.empty(),
    currentOrion: undefined,
    orions: PersistentMap.empty(),
    modificationTimeout,
    anticipatedCount: 0,
    stats: zeroStats,
    last: { kind: "initial", at: now },
    forget: LogQueue.empty(),
    eventForget: LogQueue.empty(),
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
    owedCount: s.owedCount,
    lastChange: s.lastChange,
    byOrion: s.byOrion,
    events: s.events,
    currentOrion: s.currentOrion,
    orions: s.orions,
    modificationTimeout: s.modificationTimeout,
    anticipatedCount: s.anticipatedCount,
    stats: s.stats,
    last,
    forget: s.forget,
    eventForget: s.eventForget,
  };
}

/** A draft that keeps `s`'s version and transition: housekeeping, not emitted. */
function housekeeping(s: InternalState): Draft {
  const d = draft(s, s.last);
  d.version = s.version;
  return d;
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

const noSummary: OrionSummary = Object.freeze({
  pending: 0,
  lastChange: 0,
  wholeOrion: 0,
  scoped: none,
});

/**
 * Adds `delta` to an orion's count of tasks with something owed, and `added` / `removed`
 * owed modifications to its scope accounting; `changed` records that the agent may have
 * edited it (its `lastChange` becomes this state's version).
 */
function touchOrion(
  d: Draft,
  orionId: string,
  delta: number,
  changed: boolean,
  added: readonly PendingEntry[] = none,
  removed: readonly PendingEntry[] = none,
): void {
  const old = d.byOrion.get(orionId) ?? noSummary;
  if (changed) d.lastChange = d.version;
  let wholeOrion = old.wholeOrion;
  let scoped = old.scoped;
  // Indexed loops: this runs on every registration and answer, and a `for...of` that V8 does
  // not optimise allocates an iterator result per entry.
  for (let i = 0; i < removed.length; i++) {
    const entry = removed[i]!;
    if (entry.scope === "orion") wholeOrion--;
    else scoped = scoped.filter((e) => e.seq !== entry.seq);
  }
  for (let i = 0; i < added.length; i++) {
    const entry = added[i]!;
    if (entry.scope === "orion") wholeOrion++;
    else scoped = [...scoped, entry];
  }
  const summary: OrionSummary = {
    pending: old.pending + delta,
    lastChange: changed ? d.version : old.lastChange,
    wholeOrion,
    scoped,
  };
  d.byOrion =
    summary.pending === 0 && !d.orions.has(orionId)
      ? // An ended (or never started) orion with nothing owed needs no summary: a later
        // change has a higher version, so a settle token still sees it.
        d.byOrion.delete(orionId)
      : d.byOrion.set(orionId, summary);
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
  d.forget = d.forget.push(key, record);
  return records.set(key, record);
}

/** Remembers event `eventId` of `orionId` in phase `phase` until one modification timeout from now. */
function remember(
  d: Draft,
  orionId: string,
  eventId: string,
  phase: EventRecord["phase"],
  taskId: string | undefined,
  now: number,
): void {
  const record: EventRecord = { phase, orionId, taskId, forgetAt: now + d.modificationTimeout };
  d.events = d.events.with(eventId, record);
  // An owed modification's id is kept until the modification ends, and queued then
  // (`settleEvents`): queued now, every purge would pass over it, and the queue would keep
  // the replaced record alive until the window moved past it.
  if (phase !== "pending") d.eventForget = d.eventForget.push(eventId, record);
}

/** Moves the event records of `entries` (those with ids) to `phase`. */
function settleEvents(
  d: Draft,
  entries: readonly PendingEntry[],
  phase: "completed" | "timed-out" | "cleared",
  now: number,
): void {
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    if (entry.eventId !== undefined) {
      remember(d, entry.orionId, entry.eventId, phase, entry.taskId, now);
    }
  }
}

/** Whether the oldest entry of a forget queue has reached the end of its window. */
function frontDue(queue: LogQueue<string, { readonly forgetAt: number }>, now: number): boolean {
  return queue.length > 0 && queue.valueAt(0).forgetAt <= now;
}

/** Whether the front of a forget queue is due: its window has passed, or the queue is past `limit`. */
function due(
  queue: LogQueue<string, { readonly forgetAt: number }>,
  limit: number,
  now: number,
): boolean {
  return queue.length > limit || frontDue(queue, now);
}

/**
 * How many answered records `s` holds: the records neither owed nor anticipated. The forget
 * queue may hold more entries than that: a record a restart deleted, or a newer record of the
 * same task replaced, leaves its entry behind (stale), and stale entries must not count
 * toward `ANSWERED_RECORDS_LIMIT`, or a retried task would shorten everyone's window.
 */
function answeredCount(s: InternalState): number {
  return s.records.size - s.pendingCount - s.anticipatedCount;
}

/**
 * Whether the answered records need a purge: more than their limit, the oldest one's window
 * over, or a forget queue more than half stale (compacted then, so that it stays O(limit)).
 */
function answeredDue(s: InternalState, now: number): boolean {
  return (
    answeredCount(s) > ANSWERED_RECORDS_LIMIT ||
    s.forget.length > 2 * ANSWERED_RECORDS_LIMIT ||
    frontDue(s.forget, now)
  );
}

/** `queue` without its stale entries (whose record `records` no longer holds), in order. */
function withoutStale(
  queue: LogQueue<PendingKey, AnsweredRecord>,
  records: Records,
): LogQueue<PendingKey, AnsweredRecord> {
  let live = LogQueue.empty<PendingKey, AnsweredRecord>();
  for (const { key, value } of queue.entries()) {
    if (records.get(key) === value) live = live.push(key, value);
  }
  return live;
}

/**
 * Drops answered records and event ids whose window has passed (or beyond their limits).
 * Returns the same state if there is nothing to do; otherwise a housekeeping state.
 */
function purge(s: InternalState, now: number): InternalState {
  const forgetDue = answeredDue(s, now);
  const eventsDue = due(s.eventForget, SEEN_EVENTS_LIMIT, now);
  // Most inputs have nothing due: they allocate nothing here (no closures, no context).
  return forgetDue || eventsDue ? purgeDue(s, now, forgetDue, eventsDue) : s;
}

/** `purge` when the front of one of the queues is due. */
function purgeDue(
  s: InternalState,
  now: number,
  forgetDue: boolean,
  eventsDue: boolean,
): InternalState {
  let records = s.records;
  let answered = answeredCount(s);
  let forget = forgetDue
    ? s.forget.dropWhile((key, record) => {
        const live = records.get(key) === record;
        if (live && record.forgetAt > now && answered <= ANSWERED_RECORDS_LIMIT) return false;
        if (live) {
          records = records.delete(key);
          answered--;
        }
        return true;
      })
    : s.forget;
  // At most the limit is live now: a compaction drops at least as many stale entries as it
  // keeps live ones, so it costs O(1) per entry ever queued.
  if (forget.length > 2 * ANSWERED_RECORDS_LIMIT) forget = withoutStale(forget, records);
  let events = s.events;
  const eventForget = eventsDue
    ? s.eventForget.dropWhile((eventId, record, left) => {
        if (record.forgetAt > now && left <= SEEN_EVENTS_LIMIT) return false;
        // An id whose modification is owed stays: its answer may name it. It is queued
        // again when the modification ends.
        if (record.phase !== "pending" && events.find(record.orionId, eventId) === record) {
          events = events.without(record.orionId, eventId);
        }
        return true;
      })
    : s.eventForget;
  // A queue found due drops at least its front: there is always something to keep.
  const d = housekeeping(s);
  d.forget = forget;
  d.eventForget = eventForget;
  d.events = events;
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

/** The event record of `eventId`, as {@link known} sees task records. */
function knownEvent(
  events: Events,
  orionId: string,
  eventId: string | undefined,
  now: number,
): EventRecord | undefined {
  if (eventId === undefined) return undefined;
  const record = events.find(orionId, eventId);
  return record !== undefined && record.phase !== "pending" && record.forgetAt <= now
    ? undefined
    : record;
}

/**
 * Whether an event with `eventId` was seen before: a redelivery. An id an answer named
 * before it arrived (anticipated) is not: that event arrives now for the first time.
 */
function redelivered(
  events: Events,
  orionId: string,
  eventId: string | undefined,
  now: number,
): boolean {
  const record = knownEvent(events, orionId, eventId, now);
  return record !== undefined && record.phase !== "anticipated";
}

function ignoreDuplicate(s: InternalState, event: unknown, now: number, n = 1): PendingState {
  const d = draft(s, { kind: "ignored", reason: "duplicate", event, at: now });
  d.stats = count(s.stats, "duplicateEvents", n);
  return d;
}

/** All the modifications a pending record holds, oldest first, each with an empty `later`. */
function modificationsOf(entry: PendingEntry): readonly PendingEntry[] {
  return entry.later.length === 0 ? [entry] : [{ ...entry, later: none }, ...entry.later];
}

/**
 * The record for a task that still owes `remaining` (oldest first), keeping `restarted`;
 * `undefined` when nothing remains.
 */
function withRemaining(
  remaining: readonly PendingEntry[],
  restarted: boolean,
): PendingEntry | undefined {
  const [head, ...later] = remaining;
  return head === undefined ? undefined : { ...head, later, restarted };
}

/** The scope `policy` gives a modification registered by `event` on the orion in `orions`. */
function scopeOf(
  policy: ScopePolicy | undefined,
  event: TaskEvent,
  orions: PersistentMap<string, TaskOrion>,
): PendingScope {
  if (policy === undefined || policy === "orion") return "orion";
  const orion = orions.get(event.orionId);
  if (policy === "downstream") {
    return orion === undefined
      ? "orion"
      : { taskIds: getDescendants(orion, event.taskId), base: orion.tasks };
  }
  try {
    const ids = policy(event, orion);
    return ids === "orion" ? "orion" : { taskIds: new Set(ids), base: orion?.tasks };
  } catch {
    return "orion"; // a policy that throws holds everything: the safe side
  }
}

function onTaskEnded(
  s: InternalState,
  event: TaskEnded,
  now: number,
  at: number | undefined,
  policy: ScopePolicy | undefined,
): PendingState {
  const { orionId, taskId } = event;
  const eventId = eventIdOf(event);
  const byEvent = knownEvent(s.events, orionId, eventId, now);
  if (byEvent !== undefined && byEvent.phase !== "anticipated") {
    return ignoreDuplicate(s, event, now);
  }
  const key = pendingKey(orionId, taskId);
  const record = known(s.records, key, now);
  const answeredEarly = byEvent !== undefined || record?.phase === "anticipated";
  if (record !== undefined && !answeredEarly && eventId === undefined) {
    // Without an id, only a restart tells a new run's end from a redelivery.
    if (record.phase !== "pending" || !record.restarted) return ignoreDuplicate(s, event, now);
  }
  const registeredAt = at !== undefined && Number.isFinite(at) && at < now ? at : now;
  const seq = s.stats.totalModifications + 1;
  const entry: PendingEntry = {
    phase: "pending",
    orionId,
    taskId,
    cause: event.type,
    registeredAt,
    deadline: registeredAt + s.modificationTimeout,
    ...(eventId === undefined ? {} : { eventId }),
    seq,
    later: none,
    restarted: false,
    scope: answeredEarly ? "orion" : scopeOf(policy, event, s.orions),
    declared: false,
    overdue: false,
  };
  if (answeredEarly) {
    const d = draft(s, {
      kind: "completed",
      at: now,
      orionId,
      trigger: event.type,
      entries: [entry],
      anticipated: none,
      anticipatedEvents: none,
      duplicates: none,
      late: none,
      orionUpdated: false,
      ...(eventId === undefined ? {} : { eventId }),
    });
    d.stats = count(count(s.stats, "totalModifications"), "completedModifications");
    touchOrion(d, orionId, 0, true);
    if (eventId !== undefined) remember(d, orionId, eventId, "completed", taskId, now);
    if (record?.phase === "pending") return d;
    if (record?.phase === "anticipated") d.anticipatedCount = s.anticipatedCount - 1;
    return withRecords(
      d,
      answered(d, s.records, key, orionId, taskId, "completed", now),
      s.pendingCount,
    );
  }
  const d = draft(s, {
    kind: "registered",
    at: now,
    entry,
    ...(eventId === undefined ? {} : { eventId }),
  });
  d.stats = count(s.stats, "totalModifications");
  d.owedCount = s.owedCount + 1;
  if (eventId !== undefined) remember(d, orionId, eventId, "pending", taskId, now);
  if (record?.phase === "pending") {
    // A retry's end while the earlier run's modification is owed: both need an answer.
    touchOrion(d, orionId, 0, true, [entry]);
    const queued: PendingEntry = { ...record, later: [...record.later, entry], restarted: false };
    return withRecords(d, s.records.set(key, queued), s.pendingCount);
  }
  touchOrion(d, orionId, 1, true, [entry]);
  return withRecords(d, s.records.set(key, entry), s.pendingCount + 1);
}

function onTaskStarted(s: InternalState, event: TaskEvent, now: number): PendingState {
  const { orionId, taskId } = event;
  const eventId = eventIdOf(event);
  if (redelivered(s.events, orionId, eventId, now)) return ignoreDuplicate(s, event, now);
  const key = pendingKey(orionId, taskId);
  const record = known(s.records, key, now);
  if (record === undefined) {
    if (eventId === undefined) return s;
    const d = draft(s, { kind: "seen", at: now, orionId, eventId, type: event.type });
    remember(d, orionId, eventId, "seen", taskId, now);
    return d;
  }
  const last: PendingTransition = {
    kind: "restarted",
    at: now,
    orionId,
    taskId,
    ...(eventId === undefined ? {} : { eventId }),
  };
  if (record.phase === "pending") {
    // Owed modifications stay owed; the next id-less end of the task is a new run's.
    const d = eventId === undefined ? housekeeping(s) : draft(s, last);
    if (eventId !== undefined) remember(d, orionId, eventId, "seen", taskId, now);
    if (record.restarted) return d;
    return withRecords(d, s.records.set(key, { ...record, restarted: true }), s.pendingCount);
  }
  const d = draft(s, last);
  if (eventId !== undefined) remember(d, orionId, eventId, "seen", taskId, now);
  if (record.phase === "anticipated") d.anticipatedCount = s.anticipatedCount - 1;
  return withRecords(d, s.records.delete(key), s.pendingCount);
}

/**
 * What an `ORION_MODIFIED` did, sorted as its transition reports it. The lists start as the
 * shared empty one and grow with {@link append}: an answer fills one of them, usually with
 * one entry, and five empty arrays, one grown to 17 slots by its first `push`, were a fifth of
 * what an answer allocated.
 */
interface Answer {
  records: Records;
  pendingCount: number;
  entries: readonly PendingEntry[];
  anticipated: readonly string[];
  anticipatedEvents: readonly string[];
  duplicates: readonly string[];
  late: readonly string[];
}

/** `list` with `item` at the end: a new array of one for an empty list, else `list` itself, grown. */
function append<T>(list: readonly T[], item: T): readonly T[] {
  if (list.length === 0) return [item];
  (list as T[]).push(item);
  return list;
}

/** Completes `done` (some of `record`'s modifications) in the answer `a`. */
function complete(
  d: Draft,
  a: Answer,
  record: PendingEntry,
  done: (entry: PendingEntry, index: number) => boolean,
  now: number,
): void {
  const key = pendingKey(record.orionId, record.taskId);
  if (record.later.length === 0) {
    // One modification owed (the usual case): it ends, or nothing does.
    if (!done(record, 0)) return;
    a.entries = append(a.entries, record);
    a.records = answered(d, a.records, key, record.orionId, record.taskId, "completed", now);
    a.pendingCount--;
    touchOrion(d, record.orionId, -1, false, none, [record]);
    return;
  }
  const all = modificationsOf(record);
  const remaining = all.filter((entry, index) => !done(entry, index));
  const ended = all.filter((entry, index) => done(entry, index));
  for (const entry of ended) a.entries = append(a.entries, entry);
  const next = withRemaining(remaining, record.restarted);
  if (next === undefined) {
    a.records = answered(d, a.records, key, record.orionId, record.taskId, "completed", now);
    a.pendingCount--;
  } else {
    a.records = a.records.set(key, next);
  }
  touchOrion(d, record.orionId, next === undefined ? -1 : 0, false, none, ended);
}

function answerByTask(d: Draft, a: Answer, orionId: string, taskId: string, now: number): void {
  const key = pendingKey(orionId, taskId);
  const record = known(a.records, key, now);
  if (record === undefined) {
    a.records = a.records.set(key, {
      phase: "anticipated",
      orionId,
      taskId,
      at: now,
      deadline: now + d.modificationTimeout,
    });
    a.anticipated = append(a.anticipated, taskId);
  } else if (record.phase === "pending") {
    complete(d, a, record, (_, index) => index === 0, now);
  } else if (record.phase === "timed-out" || record.phase === "cleared") {
    a.late = append(a.late, taskId);
  } else {
    a.duplicates = append(a.duplicates, taskId);
  }
}

function answerByEvent(d: Draft, a: Answer, orionId: string, eventId: string, now: number): void {
  const byEvent = knownEvent(d.events, orionId, eventId, now);
  if (byEvent === undefined) {
    remember(d, orionId, eventId, "anticipated", undefined, now);
    a.anticipatedEvents = append(a.anticipatedEvents, eventId);
    return;
  }
  const taskId = byEvent.taskId;
  const record =
    byEvent.phase === "pending" && taskId !== undefined
      ? known(a.records, pendingKey(orionId, taskId), now)
      : undefined;
  if (record?.phase === "pending") {
    complete(d, a, record, (entry) => entry.eventId === eventId, now);
  } else if (byEvent.phase === "timed-out" || byEvent.phase === "cleared") {
    a.late = append(a.late, taskId ?? eventId);
  } else {
    a.duplicates = append(a.duplicates, taskId ?? eventId);
  }
}

function onModified(s: InternalState, event: OrionModifiedEvent, now: number): PendingState {
  const { orionId } = event;
  const eventId = eventIdOf(event);
  const onEventIds = answeredEventIds(event);
  if (redelivered(s.events, orionId, eventId, now)) {
    return ignoreDuplicate(s, event, now, onEventIds?.length ?? event.onTaskIds.length);
  }
  const d = draft(s, s.last);
  if (eventId !== undefined) remember(d, orionId, eventId, "seen", undefined, now);
  const a: Answer = {
    records: s.records,
    pendingCount: s.pendingCount,
    entries: none,
    anticipated: none,
    anticipatedEvents: none,
    duplicates: none,
    late: none,
  };
  // One id (the usual answer) needs no set to drop repeats.
  if (onEventIds?.length === 1) answerByEvent(d, a, orionId, onEventIds[0]!, now);
  else if (onEventIds !== undefined) {
    for (const id of new Set(onEventIds)) answerByEvent(d, a, orionId, id, now);
  } else if (event.onTaskIds.length === 1) {
    answerByTask(d, a, orionId, event.onTaskIds[0]!, now);
  } else {
    for (const taskId of new Set(event.onTaskIds)) answerByTask(d, a, orionId, taskId, now);
  }
  settleEvents(d, a.entries, "completed", now);
  d.last = {
    kind: "completed",
    at: now,
    orionId,
    trigger: "ORION_MODIFIED",
    entries: a.entries,
    anticipated: a.anticipated,
    anticipatedEvents: a.anticipatedEvents,
    duplicates: a.duplicates,
    late: a.late,
    orionUpdated: event.newOrion !== undefined,
    ...(eventId === undefined ? {} : { eventId }),
  };
  if (event.newOrion !== undefined) {
    d.currentOrion = event.newOrion;
    d.orions = s.orions.set(orionId, event.newOrion);
    // The agent's orion changed: a settle token taken before this no longer holds.
    touchOrion(d, orionId, 0, true);
  }
  d.owedCount = s.owedCount - a.entries.length;
  d.anticipatedCount = s.anticipatedCount + a.anticipated.length;
  let stats = s.stats;
  stats = count(stats, "completedModifications", a.entries.length);
  stats = count(stats, "unmatchedModifications", a.anticipated.length + a.anticipatedEvents.length);
  stats = count(stats, "duplicateEvents", a.duplicates.length);
  d.stats = count(stats, "lateModifications", a.late.length);
  return a.records === s.records ? d : withRecords(d, a.records, a.pendingCount);
}

/**
 * Ends the owed modifications of the pending record at `key` that `ends` selects, as
 * `phase`; returns the ended ones (oldest first).
 */
function endSome(
  d: Draft,
  key: PendingKey,
  record: PendingEntry,
  ends: (entry: PendingEntry) => boolean,
  phase: "timed-out" | "cleared",
  now: number,
): readonly PendingEntry[] {
  const all = modificationsOf(record);
  const ended = all.filter(ends);
  if (ended.length === 0) return none;
  const next = withRemaining(
    all.filter((entry) => !ends(entry)),
    record.restarted,
  );
  if (next === undefined) {
    withRecords(
      d,
      answered(d, d.records, key, record.orionId, record.taskId, phase, now),
      d.pendingCount - 1,
    );
  } else {
    withRecords(d, d.records.set(key, next), d.pendingCount);
  }
  touchOrion(d, record.orionId, next === undefined ? -1 : 0, false, none, ended);
  d.owedCount -= ended.length;
  settleEvents(d, ended, phase, now);
  return ended;
}

/**
 * Replaces the owed modifications of the pending record at `key` that `pick` selects with
 * `change(entry)` (same `seq`), keeping the scope accounting; returns the new ones.
 */
function reviseSome(
  d: Draft,
  key: PendingKey,
  record: PendingEntry,
  pick: (entry: PendingEntry, index: number) => boolean,
  change: (entry: PendingEntry) => PendingEntry,
): readonly PendingEntry[] {
  const all = modificationsOf(record);
  const before: PendingEntry[] = [];
  const after: PendingEntry[] = [];
  const next = all.map((entry, index) => {
    if (!pick(entry, index)) return entry;
    const revised = change(entry);
    before.push(entry);
    after.push(revised);
    return revised;
  });
  if (after.length === 0) return none;
  withRecords(
    d,
    d.records.set(key, withRemaining(next, record.restarted) as PendingEntry),
    d.pendingCount,
  );
  touchOrion(d, record.orionId, 0, false, after, before);
  return after;
}

function onExpire(
  s: InternalState,
  due: readonly ExpiryCandidate[],
  now: number,
  hold: boolean,
): PendingState {
  const d = draft(s, s.last);
  const entries: PendingEntry[] = [];
  const forgotten: { orionId: string; taskId: string }[] = [];
  for (const { kind, orionId, taskId } of due) {
    const key = pendingKey(orionId, taskId);
    const record = d.records.get(key);
    if (record === undefined || record.phase !== kind) continue;
    if (record.phase === "pending") {
      const isDue = (e: PendingEntry): boolean => e.deadline <= now && !e.overdue;
      const ended = hold
        ? reviseSome(d, key, record, isDue, (e) => ({ ...e, overdue: true }))
        : endSome(d, key, record, isDue, "timed-out", now);
      for (const entry of ended) entries.push(entry);
    } else if (record.deadline <= now) {
      withRecords(d, d.records.delete(key), d.pendingCount);
      forgotten.push({ orionId, taskId });
    }
  }
  if (entries.length === 0 && forgotten.length === 0) return s;
  if (hold && forgotten.length === 0) {
    d.last = { kind: "overdue", at: now, entries };
    return d;
  }
  d.last = { kind: "timed-out", at: now, entries: hold ? none : entries, forgotten };
  d.stats = count(s.stats, "timeoutModifications", hold ? 0 : entries.length);
  d.anticipatedCount = s.anticipatedCount - forgotten.length;
  return d;
}

/** The owed modifications an answer or declaration names, by event id or by task. */
function named(
  d: Draft,
  orionId: string,
  onTaskIds: readonly string[],
  onEventIds: readonly string[] | undefined,
  now: number,
): { readonly picks: Map<PendingKey, Set<number>>; readonly unmatched: string[] } {
  const picks = new Map<PendingKey, Set<number>>();
  const unmatched: string[] = [];
  const pick = (key: PendingKey, seq: number): void => {
    const set = picks.get(key);
    if (set === undefined) picks.set(key, new Set([seq]));
    else set.add(seq);
  };
  if (onEventIds !== undefined) {
    for (const eventId of new Set(onEventIds)) {
      const byEvent = knownEvent(d.events, orionId, eventId, now);
      const taskId = byEvent?.phase === "pending" ? byEvent.taskId : undefined;
      const key = taskId === undefined ? undefined : pendingKey(orionId, taskId);
      const record = key === undefined ? undefined : d.records.get(key);
      const entry =
        record?.phase === "pending"
          ? modificationsOf(record).find((e) => e.eventId === eventId)
          : undefined;
      if (key !== undefined && entry !== undefined) pick(key, entry.seq);
      else unmatched.push(eventId);
    }
  } else {
    for (const taskId of new Set(onTaskIds)) {
      const key = pendingKey(orionId, taskId);
      const record = d.records.get(key);
      if (record?.phase === "pending") pick(key, record.seq);
      else unmatched.push(taskId);
    }
  }
  return { picks, unmatched };
}

/** `scope` narrowed to `declared` (never widened); tasks the agent adds stay in. */
function narrow(
  scope: PendingScope,
  declared: ReadonlySet<string>,
  orion: TaskOrion | undefined,
): PendingScope {
  if (scope === "orion") return { taskIds: declared, base: orion?.tasks };
  const taskIds = new Set<string>();
  for (const id of scope.taskIds) if (declared.has(id)) taskIds.add(id);
  return { taskIds, base: scope.base };
}

function onModifying(s: InternalState, event: OrionModifyingEvent, now: number): PendingState {
  const { orionId } = event;
  const eventId = eventIdOf(event);
  if (redelivered(s.events, orionId, eventId, now)) return ignoreDuplicate(s, event, now);
  const d = draft(s, s.last);
  if (eventId !== undefined) remember(d, orionId, eventId, "seen", undefined, now);
  const declared = new Set(event.scope);
  const orion = s.orions.get(orionId);
  const { picks, unmatched } = named(d, orionId, event.onTaskIds, answeredEventIds(event), now);
  const entries: PendingEntry[] = [];
  for (const [key, seqs] of picks) {
    const record = d.records.get(key) as PendingEntry;
    const revised = reviseSome(
      d,
      key,
      record,
      (e) => seqs.has(e.seq),
      (e) => ({ ...e, scope: narrow(e.scope, declared, orion), declared: true }),
    );
    for (const entry of revised) entries.push(entry);
  }
  d.last = {
    kind: "declared",
    at: now,
    orionId,
    entries,
    unmatched,
    ...(eventId === undefined ? {} : { eventId }),
  };
  return d;
}

function onClear(
  s: InternalState,
  command: PendingCommand & { readonly kind: "clear" },
  now: number,
): PendingState {
  if (s.pendingCount === 0) return s;
  const countAs = command.countAs ?? "cleared";
  const before = command.registeredBefore ?? Number.POSITIVE_INFINITY;
  const orionId = command.orionId;
  const d = draft(s, s.last);
  const entries: PendingEntry[] = [];
  for (const [key, record] of Array.from(s.pending.entries())) {
    if (orionId !== undefined && record.orionId !== orionId) continue;
    const ended = endSome(d, key, record, (e) => e.seq <= before, countAs, now);
    for (const entry of ended) entries.push(entry);
  }
  if (entries.length === 0) return s;
  d.last = {
    kind: "cleared",
    at: now,
    entries,
    countedAs: countAs,
    ...(command.waitTimeout === undefined ? {} : { waitTimeout: command.waitTimeout }),
  };
  d.stats = count(
    s.stats,
    countAs === "cleared" ? "clearedModifications" : "timeoutModifications",
    entries.length,
  );
  return d;
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
  policy: ScopePolicy | undefined,
): PendingState {
  // A plain copy, read once: what is applied is what was checked (a getter cannot answer
  // the check one way and the rules another).
  const event = readOrionEvent(value);
  if (event instanceof InvalidEventError) return ignoreInvalid(s, value, event, now);
  try {
    return applyEvent(s, event, now, at, policy);
  } catch (error) {
    // A value that passed the parse but throws when read again (a getter, a proxy): the
    // handlers are pure, so `s` is intact; the value is invalid, not the stream's end.
    return ignoreInvalid(s, value, unreadable(error), now);
  }
}

function unreadable(error: unknown): InvalidEventError {
  return new InvalidEventError("unreadable", "", `reading it threw ${describeThrown(error)}`);
}

/** An `ORION_STARTED` / `ORION_COMPLETED` / `ORION_FAILED`: the orion's entry in `orions`. */
function onOrion(s: InternalState, event: OrionEvent, now: number): PendingState {
  const { orionId } = event;
  const eventId = eventIdOf(event);
  if (redelivered(s.events, orionId, eventId, now)) return ignoreDuplicate(s, event, now);
  const d = draft(s, {
    kind: "orion",
    at: now,
    orionId,
    event: event.type as "ORION_STARTED" | "ORION_COMPLETED" | "ORION_FAILED",
    ...(eventId === undefined ? {} : { eventId }),
  });
  if (eventId !== undefined) remember(d, orionId, eventId, "seen", undefined, now);
  if (event.type === "ORION_STARTED") {
    d.currentOrion = event.orion;
    d.orions = s.orions.set(orionId, event.orion);
    if (!s.byOrion.has(orionId)) d.byOrion = s.byOrion.set(orionId, noSummary);
  } else {
    d.orions = s.orions.delete(orionId);
    if (s.byOrion.get(orionId)?.pending === 0) d.byOrion = s.byOrion.delete(orionId);
  }
  return d;
}

function applyEvent(
  s: InternalState,
  event: OrionEvent,
  now: number,
  at: number | undefined,
  policy: ScopePolicy | undefined,
): PendingState {
  switch (event.type) {
    case "TASK_COMPLETED":
    case "TASK_FAILED":
      return onTaskEnded(s, event as TaskEnded, now, at, policy);
    case "TASK_STARTED":
      return onTaskStarted(s, event, now);
    case "ORION_MODIFIED":
      return onModified(s, event, now);
    case "ORION_MODIFYING":
      return onModifying(s, event, now);
    case "ORION_STARTED":
    case "ORION_COMPLETED":
    case "ORION_FAILED":
      return onOrion(s, event, now);
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
      return onEvent(s, input.event, now, input.at, input.scope);
    case "expire":
      return onExpire(s, input.due, now, input.hold === true);
    case "clear":
      return onClear(s, input, now);
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
