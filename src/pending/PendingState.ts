/**
 * The pending-modifications state: what the `pendingModifications` fold emits.
 *
 * Immutable: every transition makes a new state and leaves older ones unchanged. The maps
 * are persistent (see `PersistentMap`), so a transition costs O(1) however many
 * modifications are pending.
 */
import type { InvalidEventError } from "../events.js";
import type { TaskOrion } from "../orion/types.js";

/** The key of a pending modification: one orion's task. Make one with {@link pendingKey}. */
export type PendingKey = string & { readonly __pendingKey: true };

/**
 * The key of `taskId` in `orionId`. Injective (length-prefixed), so ids may contain any
 * character.
 */
export function pendingKey(orionId: string, taskId: string): PendingKey {
  return `${orionId.length}:${orionId}/${taskId}` as PendingKey;
}

/** A modification the agent owes: a task of an orion ended and the agent has not answered. */
export interface PendingEntry {
  readonly phase: "pending";
  readonly orionId: string;
  readonly taskId: string;
  /** The event that registered it. */
  readonly cause: "TASK_COMPLETED" | "TASK_FAILED";
  /** When it was registered, on the fold's scheduler (`scheduler.now()`, ms). */
  readonly registeredAt: number;
  /** When it times out, on the same clock: `registeredAt + modificationTimeout`. */
  readonly deadline: number;
}

/**
 * The agent answered a task before its completion arrived (events out of order): the
 * completion, if it arrives by `deadline`, registers and completes at once.
 */
export interface AnticipatedRecord {
  readonly phase: "anticipated";
  readonly orionId: string;
  readonly taskId: string;
  readonly at: number;
  readonly deadline: number;
}

/**
 * A task whose modification is over. Until `forgetAt` (one modification timeout later), a
 * redelivered completion of it is a duplicate, unless the task is started again.
 */
export interface AnsweredRecord {
  readonly phase: "completed" | "timed-out" | "cleared";
  readonly orionId: string;
  readonly taskId: string;
  readonly at: number;
  readonly forgetAt: number;
}

/** What the fold knows about one task of one orion. */
export type TaskRecord = PendingEntry | AnticipatedRecord | AnsweredRecord;

/** Counters since the fold started. `total = completed + timeout + cleared + pending.size`. */
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
  | { readonly kind: "initial"; readonly at: number }
  /** A task ended: its modification is now pending. */
  | { readonly kind: "registered"; readonly at: number; readonly entry: PendingEntry }
  /**
   * Modifications completed. `trigger` is `ORION_MODIFIED` normally; it is the task event
   * when that task's modification had been anticipated (answered before the task ended),
   * so it completed at once. Ids of an `ORION_MODIFIED` that completed nothing are sorted
   * into `anticipated` (nothing pending yet: remembered), `duplicates` and `late`.
   */
  | {
      readonly kind: "completed";
      readonly at: number;
      readonly orionId: string;
      readonly trigger: "ORION_MODIFIED" | "TASK_COMPLETED" | "TASK_FAILED";
      readonly entries: readonly PendingEntry[];
      readonly anticipated: readonly string[];
      readonly duplicates: readonly string[];
      readonly late: readonly string[];
      readonly orionUpdated: boolean;
    }
  /** Modifications whose deadline passed; `forgotten` lists anticipations that expired. */
  | {
      readonly kind: "timed-out";
      readonly at: number;
      readonly entries: readonly PendingEntry[];
      readonly forgotten: readonly { readonly orionId: string; readonly taskId: string }[];
    }
  /** Pending modifications removed by a clear command, counted as `countedAs`. */
  | {
      readonly kind: "cleared";
      readonly at: number;
      readonly entries: readonly PendingEntry[];
      readonly countedAs: "cleared" | "timed-out";
    }
  /**
   * An orion started (and became current) or ended; or (`SET`) the fold's owner set the
   * current orion, as the facade's `mergeAndSyncOrionStates` does.
   */
  | {
      readonly kind: "orion";
      readonly at: number;
      readonly orionId: string;
      readonly event: "ORION_STARTED" | "ORION_COMPLETED" | "ORION_FAILED" | "SET";
    }
  /** A task that had been answered (or anticipated) started again: its next completion registers afresh. */
  | {
      readonly kind: "restarted";
      readonly at: number;
      readonly orionId: string;
      readonly taskId: string;
    }
  /** The timeout for new registrations changed. */
  | { readonly kind: "timeout-changed"; readonly at: number; readonly modificationTimeout: number }
  /** An event changed nothing but a counter: a duplicate completion, or an invalid value. */
  | {
      readonly kind: "ignored";
      readonly at: number;
      readonly reason: "duplicate" | "invalid";
      readonly event: unknown;
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
