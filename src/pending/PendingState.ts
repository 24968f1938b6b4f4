/**
 * The pending-modifications state: what the `pendingModifications` fold emits.
 *
 * Immutable: every transition makes a new state and leaves older ones unchanged. The maps
 * are persistent (see `PersistentMap`), so a transition costs O(1) however many
 * modifications are pending.
 */
import type { InvalidEventError, OrionEventType, TaskEvent } from "../events.js";
import type { TaskOrion } from "../orion/types.js";
import { EventIdMap } from "./EventIdMap.js";
import { eventKey, type PendingKey } from "./keys.js";
import { soleTouchedOrion } from "./soleTouchedOrion.js";

export { eventKey, pendingKey, type PendingKey } from "./keys.js";

/**
 * A modification the agent owes: a task of an orion ended and the agent has not answered.
 * The `pending` map holds one per task, its oldest; a task that ended again (a retry) while
 * its earlier modification was owed queues the younger ones in `later`.
 */
export interface PendingEntry {
  readonly phase: "pending";
  /** The orion of the task. */
  readonly orionId: string;
  /** The task that ended. */
  readonly taskId: string;
  /** The event that registered it. */
  readonly cause: "TASK_COMPLETED" | "TASK_FAILED";
  /**
   * When it was registered, on the fold's scheduler (`scheduler.now()`, ms), or when its
   * event happened if the fold's `registeredAt` option says so (a replay): never later than now.
   */
  readonly registeredAt: number;
  /** When it times out, on the same clock: `registeredAt + modificationTimeout`. */
  readonly deadline: number;
  /** The id of the event that registered it, if it had one. */
  readonly eventId?: string;
  /**
   * Its registration number in this fold (1, 2, ...; `stats.totalModifications` right after
   * it registered): what a wait compares to clear only what was registered before it began.
   */
  readonly seq: number;
  /** Younger modifications of the same task, oldest first (each with an empty `later`). */
  readonly later: readonly PendingEntry[];
  /**
   * The task started again since its newest modification registered: an id-less completion
   * now registers a new modification instead of counting as a duplicate.
   */
  readonly restarted: boolean;
  /** What the agent may still change because of it: only ready tasks in it are held. */
  readonly scope: PendingScope;
  /** Whether the agent narrowed `scope` with an `ORION_MODIFYING`. */
  readonly declared: boolean;
  /**
   * Its deadline passed under the `'hold'` timeout policy: still owed, still holding its
   * scope, reported once (an `overdue` transition) instead of timing out.
   */
  readonly overdue: boolean;
}

/**
 * A pending modification's scope: the whole orion (UFO's behaviour, the default), or some
 * tasks plus any task the agent adds (one not in `base`, the orion's tasks when it
 * registered).
 */
export type PendingScope =
  | "orion"
  | {
      /** The tasks the agent may still change. */
      readonly taskIds: ReadonlySet<string>;
      /** The orion's tasks when it registered; `undefined`: no orion was known. */
      readonly base: { readonly [taskId: string]: unknown } | undefined;
    };

/** Whether `taskId` is in `scope`: held while a modification with that scope is owed. */
export function inScope(scope: PendingScope, taskId: string): boolean {
  if (scope === "orion") return true;
  if (scope.taskIds.has(taskId)) return true;
  return scope.base !== undefined && !Object.prototype.hasOwnProperty.call(scope.base, taskId);
}

/**
 * Which tasks a modification holds, chosen when it registers: `'orion'` (every task of its
 * orion, the default), `'downstream'` (the ended task's descendants in the orion as it stands
 * then, plus tasks the agent adds), or a function of the ended task's event and that orion
 * returning task ids (or `'orion'`). A function that throws, and `'downstream'` with no orion
 * known, give `'orion'`: the safe side.
 */
export type ScopePolicy =
  | "orion"
  | "downstream"
  | ((event: TaskEvent, orion: TaskOrion | undefined) => readonly string[] | "orion");

/**
 * What the fold remembers of an event that had an id, until `forgetAt`: that it was seen
 * (so a redelivery is a duplicate), and for a task's end, what became of its modification.
 */
export interface EventRecord {
  /**
   * `seen`: an event that registers nothing. `pending` / `completed` / `timed-out` /
   * `cleared`: the modification a task's end registered. `anticipated`: an answer named it
   * (`onEventIds`) before it arrived: when it arrives, it registers and completes at once.
   */
  readonly phase: "seen" | "pending" | "completed" | "timed-out" | "cleared" | "anticipated";
  /** The orion of the event. */
  readonly orionId: string;
  /** The task of a task event; `undefined` for an orion event or an anticipation. */
  readonly taskId: string | undefined;
  /** When it is forgotten, on the fold's scheduler (ms); a pending one is kept until it ends. */
  readonly forgetAt: number;
}

/** Per orion: what the gate, the wait and settle tokens read, in O(1). */
export interface OrionSummary {
  /** How many of its tasks have a modification owed. */
  readonly pending: number;
  /** How many of its owed modifications hold the whole orion (scope `'orion'`). */
  readonly wholeOrion: number;
  /** Its owed modifications with a narrower scope (each with an empty `later`). */
  readonly scoped: readonly PendingEntry[];
  /**
   * The `seq` of its newest registration, or of the newest registration in the fold when
   * the agent last sent it a `newOrion`: it changes whenever the agent may have edited it.
   */
  readonly lastChange: number;
}

/**
 * How many tasks of `orionId` have a modification owed, or (without an id) of every orion.
 */
export function pendingIn(state: PendingState, orionId?: string): number {
  return orionId === undefined ? state.pending.size : (state.byOrion.get(orionId)?.pending ?? 0);
}

/**
 * Whether a modification of `orionId` owed now holds any of `taskIds`: one of whole-orion
 * scope, or one whose scope contains one of them. O(taskIds × narrower-scoped owed ones).
 */
export function holdsTasks(
  state: PendingState,
  orionId: string,
  taskIds: readonly string[],
): boolean {
  const summary = state.byOrion.get(orionId);
  if (summary === undefined || summary.pending === 0) return false;
  if (summary.wholeOrion > 0) return true;
  for (const entry of summary.scoped) {
    for (const taskId of taskIds) if (inScope(entry.scope, taskId)) return true;
  }
  return false;
}

/**
 * Whether the fold has seen event `eventId` of `orionId` (within its memory: see
 * `SEEN_EVENTS_LIMIT`).
 */
export function hasSeenEvent(state: PendingState, orionId: string, eventId: string): boolean {
  const { events } = state;
  const record =
    events instanceof EventIdMap
      ? events.find(orionId, eventId)
      : events.get(eventKey(orionId, eventId));
  return record !== undefined && record.phase !== "anticipated";
}

/**
 * The agent answered a task before its completion arrived (events out of order): the
 * completion, if it arrives by `deadline`, registers and completes at once.
 */
export interface AnticipatedRecord {
  /** The discriminant of {@link TaskRecord}. */
  readonly phase: "anticipated";
  /** The orion the answer named. */
  readonly orionId: string;
  /** The task the answer named. */
  readonly taskId: string;
  /** When the answer arrived, on the fold's scheduler (ms). */
  readonly at: number;
  /** When the anticipation is forgotten: `at + modificationTimeout`. */
  readonly deadline: number;
}

/**
 * A task whose modification is over. Until `forgetAt` (one modification timeout later), a
 * redelivered completion of it is a duplicate, unless the task is started again.
 */
export interface AnsweredRecord {
  /** How the modification ended. */
  readonly phase: "completed" | "timed-out" | "cleared";
  /** The orion of the task. */
  readonly orionId: string;
  /** The task. */
  readonly taskId: string;
  /** When the modification ended, on the fold's scheduler (ms). */
  readonly at: number;
  /** When this record is dropped: `at + modificationTimeout`. */
  readonly forgetAt: number;
}

/** What the fold knows about one task of one orion. */
export type TaskRecord = PendingEntry | AnticipatedRecord | AnsweredRecord;

/** Counters since the fold started. `total = completed + timeout + cleared + owedCount`. */
export interface PendingStats {
  /** Modifications registered (task completions and failures that were not duplicates). */
  readonly totalModifications: number;
  /** Modifications the agent completed with `ORION_MODIFIED`. */
  readonly completedModifications: number;
  /** Modifications that timed out (including those a timed-out wait cleared). */
  readonly timeoutModifications: number;
  /** Modifications removed by an explicit clear. */
  readonly clearedModifications: number;
  /** Task ids reported again while pending or recently answered (per task id). */
  readonly duplicateEvents: number;
  /** Task ids an `ORION_MODIFIED` named while not pending; remembered as anticipated. */
  readonly unmatchedModifications: number;
  /** Task ids an `ORION_MODIFIED` named after their modification had timed out or been cleared. */
  readonly lateModifications: number;
  /** Values on the event stream that failed `parseOrionEvent`. */
  readonly invalidEvents: number;
}

/** What the last transition of the fold was, so observers can log or draw it. */
export type PendingTransition =
  | {
      /** The fold's first state: nothing has happened yet. */
      readonly kind: "initial";
      /** When, on the fold's scheduler (ms). */
      readonly at: number;
    }
  /** A task ended: its modification is now pending. */
  | {
      readonly kind: "registered";
      /** When, on the fold's scheduler (ms). */
      readonly at: number;
      /** The new pending modification. */
      readonly entry: PendingEntry;
    }
  /**
   * Modifications completed. `trigger` is `ORION_MODIFIED` normally; it is the task event
   * when that task's modification had been anticipated (answered before the task ended),
   * so it completed at once. Ids of an `ORION_MODIFIED` that completed nothing are sorted
   * into `anticipated` (nothing pending yet: remembered), `duplicates` and `late`.
   */
  | {
      readonly kind: "completed";
      /** When, on the fold's scheduler (ms). */
      readonly at: number;
      /** The orion of the event. */
      readonly orionId: string;
      /** The type of the event that completed them. */
      readonly trigger: "ORION_MODIFIED" | "TASK_COMPLETED" | "TASK_FAILED";
      /** The modifications completed (may be empty). */
      readonly entries: readonly PendingEntry[];
      /** Named task ids with nothing known: remembered until the modification timeout. */
      readonly anticipated: readonly string[];
      /** Named event ids (`onEventIds`) not seen yet: remembered until the modification timeout. */
      readonly anticipatedEvents: readonly string[];
      /** The id of the event that made this transition, if it had one. */
      readonly eventId?: string;
      /** Named task ids already answered. */
      readonly duplicates: readonly string[];
      /** Named task ids whose modification had timed out or been cleared. */
      readonly late: readonly string[];
      /** Whether the event's `newOrion` became the current orion. */
      readonly orionUpdated: boolean;
    }
  /** Modifications whose deadline passed; `forgotten` lists anticipations that expired. */
  | {
      readonly kind: "timed-out";
      /** When, on the fold's scheduler (ms). */
      readonly at: number;
      /** The modifications that timed out (may be empty). */
      readonly entries: readonly PendingEntry[];
      /** The anticipations that expired. */
      readonly forgotten: readonly {
        /** The orion the answer named. */
        readonly orionId: string;
        /** The task the answer named. */
        readonly taskId: string;
      }[];
    }
  /** Pending modifications removed by a clear command, counted as `countedAs`. */
  | {
      readonly kind: "cleared";
      /** When, on the fold's scheduler (ms). */
      readonly at: number;
      /** The modifications removed. */
      readonly entries: readonly PendingEntry[];
      /** The counter they went to: `clearedModifications` or `timeoutModifications`. */
      readonly countedAs: "cleared" | "timed-out";
      /** The timeout of the wait that cleared them (`countedAs: "timed-out"`), in ms. */
      readonly waitTimeout?: number;
    }
  /**
   * An orion started (and became current) or ended; or (`SET`) the fold's owner set the
   * current orion, as the facade's `mergeAndSyncOrionStates` does.
   */
  | {
      readonly kind: "orion";
      /** When, on the fold's scheduler (ms). */
      readonly at: number;
      /** The orion. */
      readonly orionId: string;
      /** What happened to it. */
      readonly event: "ORION_STARTED" | "ORION_COMPLETED" | "ORION_FAILED" | "SET";
      /** The id of the event, if it had one. */
      readonly eventId?: string;
    }
  /** A task that had been answered (or anticipated) started again: its next completion registers afresh. */
  | {
      readonly kind: "restarted";
      /** When, on the fold's scheduler (ms). */
      readonly at: number;
      /** The orion of the task. */
      readonly orionId: string;
      /** The task that started again. */
      readonly taskId: string;
      /** The id of the `TASK_STARTED`, if it had one. */
      readonly eventId?: string;
    }
  /** The agent narrowed the scope of owed modifications (`ORION_MODIFYING`). */
  | {
      readonly kind: "declared";
      /** When, on the fold's scheduler (ms). */
      readonly at: number;
      /** The orion. */
      readonly orionId: string;
      /** The modifications narrowed, with their new scope. */
      readonly entries: readonly PendingEntry[];
      /** The named tasks (or event ids) with nothing owed: the declaration changed nothing for them. */
      readonly unmatched: readonly string[];
      /** The id of the declaration, if it had one. */
      readonly eventId?: string;
    }
  /** Deadlines passed under the `'hold'` timeout policy: still owed, still held, reported. */
  | {
      readonly kind: "overdue";
      /** When, on the fold's scheduler (ms). */
      readonly at: number;
      /** The modifications that became overdue. */
      readonly entries: readonly PendingEntry[];
    }
  /** An event with an id that changed nothing else: remembered, so a gate waiting for it opens. */
  | {
      readonly kind: "seen";
      /** When, on the fold's scheduler (ms). */
      readonly at: number;
      /** The orion of the event. */
      readonly orionId: string;
      /** The event's id. */
      readonly eventId: string;
      /** The event's type. */
      readonly type: OrionEventType;
    }
  /** The timeout for new registrations changed. */
  | {
      readonly kind: "timeout-changed";
      /** When, on the fold's scheduler (ms). */
      readonly at: number;
      /** The new timeout, in ms. */
      readonly modificationTimeout: number;
    }
  /** An event changed nothing but a counter: a duplicate completion, or an invalid value. */
  | {
      readonly kind: "ignored";
      /** When, on the fold's scheduler (ms). */
      readonly at: number;
      /** Why it was ignored. */
      readonly reason: "duplicate" | "invalid";
      /** The value received, as it was. */
      readonly event: unknown;
      /** What is wrong with it (`reason: "invalid"`). */
      readonly error?: InvalidEventError;
    };

/** One state of the pending-modifications fold. */
export interface PendingState {
  /** Increases by one per emitted state: a consumer keeps the highest it has seen. */
  readonly version: number;
  /** The modifications the agent still owes, by {@link pendingKey}: the pending `records`. */
  readonly pending: ReadonlyMap<PendingKey, PendingEntry>;
  /** Everything known per task: pending, anticipated, and recently answered. */
  readonly records: ReadonlyMap<PendingKey, TaskRecord>;
  /** How many modifications are owed: one per `pending` entry plus its `later` ones. */
  readonly owedCount: number;
  /**
   * The version of the newest registration or agent orion, of any orion: what a settle
   * token of the whole bus compares (`byOrion` has it per orion).
   */
  readonly lastChange: number;
  /** Per orion with something owed (or an orion not yet ended): see {@link OrionSummary}. */
  readonly byOrion: ReadonlyMap<string, OrionSummary>;
  /** Recently seen event ids, by {@link eventKey}: see {@link EventRecord}. */
  readonly events: ReadonlyMap<PendingKey, EventRecord>;
  /**
   * The orion of the last `ORION_STARTED`, the last `newOrion` an agent sent, or the last
   * orion set by the fold's owner, whichever came last, of any orion. With several orions
   * on one bus, use `orions`.
   */
  readonly currentOrion: TaskOrion | undefined;
  /** The current orion of each orion id (until its `ORION_COMPLETED` / `ORION_FAILED`). */
  readonly orions: ReadonlyMap<string, TaskOrion>;
  /** The timeout given to new registrations, in ms. */
  readonly modificationTimeout: number;
  /** How many `records` are anticipations (they expire on a timer, like pending entries). */
  readonly anticipatedCount: number;
  /** Counters since the fold started. */
  readonly stats: PendingStats;
  /** What made this state: the transition from the previous one. */
  readonly last: PendingTransition;
}

/** The orions a transition touched (each once): whose gates and waits must hear of it. */
export function touchedOrions(last: PendingTransition): readonly string[] {
  const sole = soleTouchedOrion(last);
  if (sole !== undefined) return [sole];
  switch (last.kind) {
    case "timed-out":
      return [
        ...new Set([
          ...last.entries.map((entry) => entry.orionId),
          ...last.forgotten.map((f) => f.orionId),
        ]),
      ];
    case "cleared":
    case "overdue":
      return [...new Set(last.entries.map((entry) => entry.orionId))];
    default:
      return [];
  }
}
