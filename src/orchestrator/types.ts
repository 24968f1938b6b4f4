/** Types of the reference orchestrator. */
import type { ObservableInput, SchedulerLike } from "rxjs";
import type { OrionEvent, TaskEvent } from "../events.js";
import type { BlockedTask } from "../orion/getBlockedTasks.js";
import type { ReadyTaskOptions } from "../orion/getReadyTasks.js";
import type { DefinitionField } from "../orion/mergeOrionStates.js";
import type { JsonValue, OrionState, Task, TaskOrion } from "../orion/types.js";
import type { PendingStats } from "../pending/PendingState.js";
import type { OrionModificationSynchronizer } from "../synchronizer.js";

/**
 * An orchestration's statistics: the synchronizer's, and how many scope violations the agent's
 * answers made (the length of `scopeViolations`), so that a dashboard built on statistics sees
 * them without reading the list.
 */
export interface OrchestrationStatistics extends PendingStats {
  readonly scopeViolations: number;
}

/** What `executeTask` gets besides the task. */
export interface ExecuteTaskContext {
  /** Aborted when the orchestration is cancelled (signal or unsubscription). */
  readonly signal: AbortSignal;
  /** The orion the task was started from (its definition is `task`). */
  readonly orion: TaskOrion;
}

/**
 * Runs one task: returns its result, as a value, a promise or an observable (its last
 * value; use one on the orchestration's scheduler for virtual time). Throwing, rejecting
 * or erroring fails the task.
 */
export type ExecuteTask = (
  task: Task,
  context: ExecuteTaskContext,
) => ObservableInput<JsonValue | undefined> | JsonValue | undefined;

/** The bus the orchestrator publishes on: our `EventBus` fits. */
export interface PublishingBus {
  /** Delivers `event` to every subscriber (the synchronizer among them) before returning. */
  publish(event: OrionEvent): void;
}

/** Options of `orchestrateOrion`. */
export interface OrchestrateOptions {
  /** Where the orchestrator publishes its task and orion events. */
  readonly bus: PublishingBus;
  /** Without one, tasks start as soon as they are ready: the race the synchronizer prevents. */
  readonly synchronizer?: OrionModificationSynchronizer | undefined;
  /**
   * With a synchronizer: whether to wait at its gate (default `true`). `false` still merges
   * the agent's latest orion before starting tasks, but does not wait for modifications in
   * progress: how an orchestrator that shares the orion with its agent behaves without
   * synchronization (UFO's race), for simulations and comparisons.
   */
  readonly gate?: boolean;
  /** Runs one task. */
  readonly executeTask: ExecuteTask;
  /** How many tasks may run at once. Default: no limit. */
  readonly maxConcurrency?: number;
  /** Cancels the orchestration: running tasks are aborted, the rest marked cancelled. */
  readonly signal?: AbortSignal;
  /** The clock for timestamps and timings. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  /** Predicates for `conditional` dependencies. */
  readonly readyOptions?: ReadyTaskOptions;
  /**
   * Records a task's start somewhere durable before it runs (a fenced broker write, see
   * `orion-sync/redis`). When given, the orchestrator does not publish `TASK_STARTED` on
   * `bus` itself: it awaits `recordStart(event)` and only then calls `executeTask`; if it
   * rejects, the orchestration fails with that error and the task never runs.
   */
  readonly recordStart?: (event: TaskEvent) => Promise<void>;
  /**
   * The prefix of this run's event ids (`<runId>:<n>`). Default: random. Ids must be unique
   * within the orion, across runs and workers.
   */
  readonly runId?: string;
  /**
   * How long a ready trigger may wait for the synchronizer to see the event it follows
   * before the orchestration fails with `UnseenEventError` (a synchronizer that does not
   * see this bus). Default 30 000 ms, on `scheduler`.
   */
  readonly unseenTimeout?: number;
  /**
   * Scoped starts (issue 16): a ready task starts unless a pending modification of its orion
   * holds it (`synchronizer.holdsTasks(orionId, [task.id])`: its scope contains the task, or
   * is the whole orion), instead of waiting while anything of the orion is pending. Held
   * tasks start in the turn their holds end. Default: `true` when the synchronizer's scope
   * policy is not `'orion'`, else `false` (the whole-orion gate). Give `true` with the
   * `'orion'` policy for an agent that declares its scope (`ORION_MODIFYING`). Needs the gate.
   */
  readonly scoped?: boolean;
  /**
   * What a scope violation does (the agent's answer changed a started task outside the scope
   * of the modifications it answered): `'report'` (default: listed in `scopeViolations`) or
   * `'fail-orion'` (also fails the orion: running tasks are cancelled, `ORION_FAILED`).
   */
  readonly onScopeViolation?: "report" | "fail-orion";
  /**
   * What a modification of this orion that passes its deadline means: `'proceed'` (UFO's:
   * it stops holding and tasks run, possibly stale), `'fail-orion'` (the orion fails), or
   * `'hold'` (its scope stays held until the agent answers: the synchronizer must be made
   * with `onTimeout: 'hold'`, else a RangeError). Default: `'hold'` with such a
   * synchronizer, else `'proceed'`.
   */
  readonly onTimeout?: "proceed" | "fail-orion" | "hold";
}

/** Which pending modification an event or a violation concerns. */
export interface ModificationRef {
  /** The task whose end registered it. */
  readonly taskId: string;
  /** The id of that end's event, if it had one. */
  readonly eventId?: string;
  /** Its registration number in the synchronizer's fold. */
  readonly seq: number;
}

/**
 * The agent's answer changed a task that had started, outside the scope of every
 * modification that answer completed: a task that ran while the agent could still change it.
 */
export interface ScopeViolation {
  /** The started task the agent changed. */
  readonly taskId: string;
  /** What it changed: the task's definition (`fields`), or it removed the task. */
  readonly change: "definition_changed" | "removed";
  /** The definition fields changed, for `definition_changed`. */
  readonly fields?: readonly DefinitionField[];
  /** The (oldest) modification the answer completed. */
  readonly modification: ModificationRef;
  /** When the answer was merged (ms, on the orchestration's scheduler). */
  readonly at: number;
}

/** A ready task held by a pending modification's scope (scoped starts), from `from` to `to`. */
export interface TaskHold {
  /** The task. */
  readonly taskId: string;
  /** When it was first seen ready and held (ms, on the orchestration's scheduler). */
  readonly from: number;
  /** When it started, or stopped being ready. */
  readonly to: number;
}

/** When and how a task ran. */
export interface TaskTiming {
  /** The task. */
  readonly taskId: string;
  /** When it started, on the orchestration's scheduler (ms). */
  readonly startedAt: number;
  /** When it ended; absent while it runs. */
  readonly endedAt?: number;
  /** The task's definition when it started: what it ran with. */
  readonly definition: Task;
  /** Its status at the end (or now, while it runs). */
  readonly status: Task["status"];
}

/** The outcome of an orchestration. */
export interface OrchestrationResult {
  /** The orion at the end, with every task's final status. */
  readonly orion: TaskOrion;
  /** The orion's derived state at the end. */
  readonly state: OrionState;
  /** `completed`: every task completed; `failed`: some failed or could not run; `cancelled`. */
  readonly outcome: "completed" | "failed" | "cancelled";
  /** One entry per task run, in start order. */
  readonly timings: readonly TaskTiming[];
  /** Pending tasks that can never run (a dependency can no longer be satisfied). */
  readonly blocked: readonly BlockedTask[];
  /** Total time ready tasks waited at the synchronizer's gate, in ms. */
  readonly heldMs: number;
  /** When the orchestration started (ms, on its scheduler). */
  readonly startedAt: number;
  /** When it ended (ms, on its scheduler). */
  readonly endedAt: number;
  /**
   * The synchronizer's statistics at the end, with this orchestration's count of scope
   * violations beside them, if there was a synchronizer.
   */
  readonly statistics: OrchestrationStatistics | undefined;
  /** Scope violations the agent's answers made (one per task, the first), in merge order. */
  readonly scopeViolations: readonly ScopeViolation[];
  /** With scoped starts: each period a ready task waited for a scope, in the order they ended. */
  readonly taskHolds: readonly TaskHold[];
  /** Why the orchestration failed the orion itself (a policy), if it did. */
  readonly failure?:
    | { readonly kind: "modification-timeout"; readonly modification: ModificationRef }
    | { readonly kind: "scope-violation"; readonly violation: ScopeViolation };
}

/** What `orchestrateOrion` emits: each event it published, then the result. */
export type OrchestrationProgress =
  | {
      /** An event was published. */
      readonly kind: "event";
      /** When (ms, on the orchestration's scheduler). */
      readonly at: number;
      readonly event: OrionEvent;
      /** The orchestrator's orion right after it. */
      readonly orion: TaskOrion;
      /** How many tasks were running then. */
      readonly running: number;
    }
  | {
      /** The orchestration ended; the last value. */
      readonly kind: "finished";
      /** When (ms, on the orchestration's scheduler). */
      readonly at: number;
      /** The outcome. */
      readonly result: OrchestrationResult;
    };
