/** What a simulated orchestration reports: the CLI's summary, `--json` and timeline read it. */
import type { TaskStatus } from "../orion/types.js";

/** One task of a simulated run. Times are virtual milliseconds from the run's start. */
export interface SimulatedTask {
  readonly id: string;
  readonly name: string;
  readonly status: TaskStatus;
  readonly startedAt?: number;
  readonly endedAt?: number;
  /** Started with a definition older than the agent's modification for one of its predecessors. */
  readonly stale: boolean;
}

/** One modification by the (scripted) agent: from the completion that started it to its publication. */
export interface SimulatedModification {
  readonly onTaskIds: readonly string[];
  readonly startedAt: number;
  readonly publishedAt: number;
}

/** A period during which ready tasks waited at the gate. */
export interface HeldPeriod {
  readonly from: number;
  readonly to: number;
}

/** The outcome of one simulated run (with or without the gate). */
export interface SimulationReport {
  readonly orionId: string;
  readonly orionName?: string;
  /** Whether the synchronizer's gate was used. */
  readonly gated: boolean;
  readonly seed: number;
  readonly tasks: readonly SimulatedTask[];
  readonly modifications: readonly SimulatedModification[];
  readonly held: readonly HeldPeriod[];
  readonly staleStarts: number;
  /** Virtual ms from the start to the orion's end. */
  readonly makespan: number;
  readonly heldMs: number;
  readonly timeouts: number;
  readonly outcome: "completed" | "failed" | "cancelled";
}
