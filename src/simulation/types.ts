/** What a simulated orchestration reports: the CLI's summary, `--json` and timeline read it. */
import type { TaskStatus } from "../orion/types.js";

/** One task of a simulated run. Times are virtual milliseconds from the run's start. */
export interface SimulatedTask {
  /** The task's id. */
  readonly id: string;
  /** Its display name (the id when it has none). */
  readonly name: string;
  /** Its status at the end of the run. */
  readonly status: TaskStatus;
  /** When it started; absent if it never ran. */
  readonly startedAt?: number;
  /** When it ended; absent if it never ended. */
  readonly endedAt?: number;
  /** Started with a definition older than the agent's modification for one of its predecessors. */
  readonly stale: boolean;
}

/** One modification by the (scripted) agent: from the completion that started it to its publication. */
export interface SimulatedModification {
  /** The completions it answered (the `ORION_MODIFIED`'s `onTaskIds`). */
  readonly onTaskIds: readonly string[];
  /** When the agent started working on it. */
  readonly startedAt: number;
  /** When it published its `ORION_MODIFIED`. */
  readonly publishedAt: number;
}

/** A period during which ready tasks waited at the gate. */
export interface HeldPeriod {
  /** When the gate closed on ready tasks. */
  readonly from: number;
  /** When it released them. */
  readonly to: number;
}

/** A change of a started task outside the scopes the agent's answer had (see `ScopeViolation`). */
export interface SimulatedViolation {
  /** The started task the agent changed. */
  readonly taskId: string;
  /** What changed: its definition, or its removal. */
  readonly change: "definition_changed" | "removed";
  /** The completed task of the (oldest) modification the answer was for. */
  readonly onTaskId: string;
  /** When the answer was merged. */
  readonly at: number;
}

/** A ready task held by a pending modification's scope (scoped runs). */
export interface SimulatedHold {
  /** The task. */
  readonly taskId: string;
  /** When it was first held. */
  readonly from: number;
  /** When it started (or stopped being ready). */
  readonly to: number;
}

/** The outcome of one simulated run (with or without the gate). */
export interface SimulationReport {
  /** The simulated orion's id. */
  readonly orionId: string;
  /** Its name, if it has one. */
  readonly orionName?: string;
  /** Whether the synchronizer's gate was used. */
  readonly gated: boolean;
  /** Scoped runs: which scopes held tasks (absent: the whole-orion gate, or no gate). */
  readonly scope?: "downstream" | "declared";
  /** The random seed of task durations and agent latencies: same seed, same run. */
  readonly seed: number;
  /** Every task, in the orion's order. */
  readonly tasks: readonly SimulatedTask[];
  /** Every modification the agent made, in publication order. */
  readonly modifications: readonly SimulatedModification[];
  /**
   * The periods ready tasks waited at the gate (none without the gate); scoped runs: the
   * periods in which some task was held (see `taskHolds`).
   */
  readonly held: readonly HeldPeriod[];
  /** How many tasks started on a stale definition (`stale: true`). */
  readonly staleStarts: number;
  /**
   * Virtual ms from the start to the orion's end: with the gate, it waits for the agent's
   * answer to the last completion (see `lastTaskEndedAt` and `lastAnswerAt`).
   */
  readonly makespan: number;
  /** When the last task ended: the work's own makespan. */
  readonly lastTaskEndedAt: number;
  /** When the agent's last answer arrived (0 without answers). */
  readonly lastAnswerAt: number;
  /** Scope violations (each also a stale start). */
  readonly scopeViolations: readonly SimulatedViolation[];
  /** Scoped runs: each period a ready task waited for a scope (empty otherwise). */
  readonly taskHolds: readonly SimulatedHold[];
  /** The total of `held`, in virtual ms. */
  readonly heldMs: number;
  /** How many modifications timed out. */
  readonly timeouts: number;
  /** How the orchestration ended (see `OrchestrationResult.outcome`). */
  readonly outcome: "completed" | "failed" | "cancelled";
}
