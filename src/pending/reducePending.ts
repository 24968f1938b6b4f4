/**
 * The pure reducer of the pending-modifications fold: `(state, input, now) → state`.
 *
 * It never reads a clock or touches a scheduler (the operator passes `now` in and keeps the
 * timers), so it can be replayed, property-tested against a model, and reused. It returns
 * the same state object when an input changes nothing, so `distinctUntilChanged()` drops it.
 *
 * The rules, per event:
 * - `TASK_COMPLETED` / `TASK_FAILED` registers a modification for that orion's task, unless
 *   one is pending (a duplicate) or the task's last modification is over and it has not
 *   been started again (a redelivered event: a duplicate too). If the agent already
 *   answered it (an early `ORION_MODIFIED`, see below), it registers and completes at once.
 * - `ORION_MODIFIED` completes the modification of every listed task of its orion. A listed
 *   task with nothing pending is *anticipated*: the answer arrived before the completion
 *   (events out of order), so it is remembered until the modification timeout and the late
 *   completion does not register a modification nobody will answer. A listed task whose
 *   modification timed out or was cleared is `late`; one already answered, a duplicate.
 *   `newOrion` becomes the current orion.
 * - `TASK_STARTED` of a task whose modification is over forgets that, so the next
 *   completion (a retry) registers again.
 * - `ORION_STARTED` sets the current orion; `ORION_COMPLETED` / `ORION_FAILED` drop the
 *   orion's task records (pending entries stay until answered or timed out).
 * - Anything that fails `parseOrionEvent` is counted in `invalidEvents`.
 */
import {
  InvalidEventError,
  parseOrionEvent,
  type OrionModifiedEvent,
  type TaskEvent,
} from "../events.js";
import { PersistentMap } from "../internal/PersistentMap.js";
import type { TaskOrion } from "../orion/types.js";
import {
  pendingKey,
  type PendingEntry,
  type PendingKey,
  type PendingState,
  type PendingStats,
  type PendingTransition,
  type TaskRecord,
} from "./PendingState.js";

/** Something that expires at a deadline: a pending entry or an anticipation. */
export interface ExpiryCandidate {
  readonly kind: "pending" | "anticipated";
  readonly orionId: string;
  readonly taskId: string;
}

/** A command to the fold from its owner (the facade), not from the event bus. */
export type PendingCommand =
  | {
      /** Remove every pending modification, counting them as `countAs` (default `cleared`). */
      readonly kind: "clear";
      readonly countAs?: "cleared" | "timed-out";
    }
  | {
      /** Give new registrations this timeout (ms); pending ones keep their deadline. */
      readonly kind: "set-timeout";
      readonly modificationTimeout: number;
    };

/** What the reducer consumes: a bus value, a batch of due deadlines, or a command. */
export type PendingInput =
  | { readonly kind: "event"; readonly event: unknown }
  | { readonly kind: "expire"; readonly due: readonly ExpiryCandidate[] }
  | PendingCommand;

type Records = PersistentMap<string, TaskRecord>;
type Orions = PersistentMap<string, Records>;

interface InternalState extends PendingState {
  readonly pending: PersistentMap<PendingKey, PendingEntry>;
  readonly tasks: Orions;
}

const zeroStats: PendingStats = {
  totalModifications: 0,
  completedModifications: 0,
  timeoutModifications: 0,
  clearedModifications: 0,
  duplicateEvents: 0,
  unmatchedModifications: 0,
  lateModifications: 0,
  invalidEvents: 0,
};

/** The state before any input: nothing pending, no orion. */
export function initialPendingState(modificationTimeout: number, now: number): PendingState {
  const state: InternalState = {
    version: 0,
    pending: PersistentMap.empty(),
    currentOrion: undefined,
    modificationTimeout,
    tasks: PersistentMap.empty(),
    anticipatedCount: 0,
    stats: zeroStats,
    last: { kind: "initial", at: now },
  };
  return state;
}

function bump(stats: PendingStats, delta: Partial<PendingStats>): PendingStats {
  const next = { ...stats };
  for (const key of Object.keys(delta) as (keyof PendingStats)[]) next[key] += delta[key] ?? 0;
  return next;
}

function withRecord(
  tasks: Orions,
  orionId: string,
  taskId: string,
  record: TaskRecord | undefined,
): Orions {
  const records = tasks.get(orionId) ?? PersistentMap.empty<string, TaskRecord>();
  const next = record === undefined ? records.delete(taskId) : records.set(taskId, record);
  if (next === records) return tasks;
  return next.size === 0 ? tasks.delete(orionId) : tasks.set(orionId, next);
}

function recordOf(s: InternalState, orionId: string, taskId: string): TaskRecord | undefined {
  return s.tasks.get(orionId)?.get(taskId);
}

function step(
  s: InternalState,
  changes: Partial<Omit<InternalState, "version" | "last">>,
  last: PendingTransition,
): PendingState {
  const next: InternalState = { ...s, ...changes, version: s.version + 1, last };
  return next;
}

function ignoreDuplicate(s: InternalState, event: unknown, now: number): PendingState {
  return step(
    s,
    { stats: bump(s.stats, { duplicateEvents: 1 }) },
    { kind: "ignored", reason: "duplicate", event, at: now },
  );
}

function onTaskEnded(
  s: InternalState,
  event: TaskEvent & { type: "TASK_COMPLETED" | "TASK_FAILED" },
  now: number,
): PendingState {
  const { orionId, taskId } = event;
  const key = pendingKey(orionId, taskId);
  if (s.pending.has(key)) return ignoreDuplicate(s, event, now);
  const record = recordOf(s, orionId, taskId);
  const entry: PendingEntry = {
    orionId,
    taskId,
    cause: event.type,
    registeredAt: now,
    deadline: now + s.modificationTimeout,
  };
  if (record === undefined) {
    return step(
      s,
      { pending: s.pending.set(key, entry), stats: bump(s.stats, { totalModifications: 1 }) },
      { kind: "registered", at: now, entry },
    );
  }
  if (record.phase !== "anticipated") return ignoreDuplicate(s, event, now);
  return step(
    s,
    {
      tasks: withRecord(s.tasks, orionId, taskId, { phase: "completed", at: now }),
      anticipatedCount: s.anticipatedCount - 1,
      stats: bump(s.stats, { totalModifications: 1, completedModifications: 1 }),
    },
    {
      kind: "completed",
      at: now,
      orionId,
      trigger: event.type,
      entries: [entry],
      anticipated: [],
      duplicates: [],
      late: [],
      orionUpdated: false,
    },
  );
}

function onTaskStarted(s: InternalState, event: TaskEvent, now: number): PendingState {
  const record = recordOf(s, event.orionId, event.taskId);
  if (record === undefined || record.phase === "anticipated") return s;
  return step(
    s,
    { tasks: withRecord(s.tasks, event.orionId, event.taskId, undefined) },
    { kind: "restarted", at: now, orionId: event.orionId, taskId: event.taskId },
  );
}

function onModified(s: InternalState, event: OrionModifiedEvent, now: number): PendingState {
  const { orionId } = event;
  let pending = s.pending;
  let tasks = s.tasks;
  let anticipatedCount = s.anticipatedCount;
  const entries: PendingEntry[] = [];
  const anticipated: string[] = [];
  const duplicates: string[] = [];
  const late: string[] = [];
  for (const taskId of new Set(event.onTaskIds)) {
    const key = pendingKey(orionId, taskId);
    const entry = pending.get(key);
    if (entry !== undefined) {
      pending = pending.delete(key);
      tasks = withRecord(tasks, orionId, taskId, { phase: "completed", at: now });
      entries.push(entry);
      continue;
    }
    const record = tasks.get(orionId)?.get(taskId);
    if (record === undefined) {
      tasks = withRecord(tasks, orionId, taskId, {
        phase: "anticipated",
        at: now,
        deadline: now + s.modificationTimeout,
      });
      anticipatedCount++;
      anticipated.push(taskId);
    } else if (record.phase === "timed-out" || record.phase === "cleared") {
      late.push(taskId);
    } else {
      duplicates.push(taskId);
    }
  }
  const orionUpdated = event.newOrion !== undefined;
  const currentOrion: TaskOrion | undefined = event.newOrion ?? s.currentOrion;
  return step(
    s,
    {
      pending,
      tasks,
      anticipatedCount,
      currentOrion,
      stats: bump(s.stats, {
        completedModifications: entries.length,
        unmatchedModifications: anticipated.length,
        duplicateEvents: duplicates.length,
        lateModifications: late.length,
      }),
    },
    {
      kind: "completed",
      at: now,
      orionId,
      trigger: "ORION_MODIFIED",
      entries,
      anticipated,
      duplicates,
      late,
      orionUpdated,
    },
  );
}

function onOrionEnded(
  s: InternalState,
  orionId: string,
  type: "ORION_COMPLETED" | "ORION_FAILED",
  now: number,
): PendingState {
  const records = s.tasks.get(orionId);
  let anticipatedCount = s.anticipatedCount;
  if (records !== undefined) {
    for (const record of records.values()) if (record.phase === "anticipated") anticipatedCount--;
  }
  return step(
    s,
    { tasks: s.tasks.delete(orionId), anticipatedCount },
    { kind: "orion", at: now, orionId, event: type },
  );
}

function onExpire(s: InternalState, due: readonly ExpiryCandidate[], now: number): PendingState {
  let pending = s.pending;
  let tasks = s.tasks;
  let anticipatedCount = s.anticipatedCount;
  const entries: PendingEntry[] = [];
  const forgotten: { orionId: string; taskId: string }[] = [];
  for (const { kind, orionId, taskId } of due) {
    if (kind === "pending") {
      const key = pendingKey(orionId, taskId);
      const entry = pending.get(key);
      if (entry === undefined || entry.deadline > now) continue;
      pending = pending.delete(key);
      tasks = withRecord(tasks, orionId, taskId, { phase: "timed-out", at: now });
      entries.push(entry);
    } else {
      const record = tasks.get(orionId)?.get(taskId);
      if (record?.phase !== "anticipated" || record.deadline > now) continue;
      tasks = withRecord(tasks, orionId, taskId, undefined);
      anticipatedCount--;
      forgotten.push({ orionId, taskId });
    }
  }
  if (entries.length === 0 && forgotten.length === 0) return s;
  return step(
    s,
    {
      pending,
      tasks,
      anticipatedCount,
      stats: bump(s.stats, { timeoutModifications: entries.length }),
    },
    { kind: "timed-out", at: now, entries, forgotten },
  );
}

function onClear(s: InternalState, countAs: "cleared" | "timed-out", now: number): PendingState {
  if (s.pending.size === 0) return s;
  let tasks = s.tasks;
  const entries = Array.from(s.pending.values());
  for (const { orionId, taskId } of entries)
    tasks = withRecord(tasks, orionId, taskId, { phase: countAs, at: now });
  const counter = countAs === "cleared" ? "clearedModifications" : "timeoutModifications";
  return step(
    s,
    { pending: PersistentMap.empty(), tasks, stats: bump(s.stats, { [counter]: entries.length }) },
    { kind: "cleared", at: now, entries, countedAs: countAs },
  );
}

/**
 * Applies one input to a state made by {@link initialPendingState} (or by this function)
 * and returns the next state, or `state` itself when nothing changed. See the module
 * comment for the rules.
 */
export function reducePending(state: PendingState, input: PendingInput, now: number): PendingState {
  const s = state as InternalState;
  switch (input.kind) {
    case "expire":
      return onExpire(s, input.due, now);
    case "clear":
      return onClear(s, input.countAs ?? "cleared", now);
    case "set-timeout":
      if (input.modificationTimeout === s.modificationTimeout) return s;
      return step(
        s,
        { modificationTimeout: input.modificationTimeout },
        { kind: "timeout-changed", at: now, modificationTimeout: input.modificationTimeout },
      );
    case "event":
      break;
  }
  const event = parseOrionEvent(input.event);
  if (event instanceof InvalidEventError) {
    return step(
      s,
      { stats: bump(s.stats, { invalidEvents: 1 }) },
      { kind: "ignored", reason: "invalid", event: input.event, error: event, at: now },
    );
  }
  switch (event.type) {
    case "TASK_COMPLETED":
    case "TASK_FAILED":
      return onTaskEnded(s, event as TaskEvent & { type: "TASK_COMPLETED" | "TASK_FAILED" }, now);
    case "TASK_STARTED":
      return onTaskStarted(s, event, now);
    case "ORION_MODIFIED":
      return onModified(s, event, now);
    case "ORION_STARTED":
      return step(
        s,
        { currentOrion: event.orion },
        { kind: "orion", at: now, orionId: event.orionId, event: event.type },
      );
    case "ORION_COMPLETED":
    case "ORION_FAILED":
      return onOrionEnded(s, event.orionId, event.type, now);
  }
}
