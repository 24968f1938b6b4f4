/**
 * An orion's overall state: the seven states, the type derived from them, and UFO's rule that
 * derives the state from the counts of task statuses, written once for the model, the merge and
 * the run (which keeps the counts up to date instead of recounting).
 */
import { recordKeys } from "./internal/recordFacts.js";
import type { Task, TaskOrion } from "./types.js";

// The list the type is derived from; exported widened, as `orionStates`.
const ORION_STATES = [
  "created",
  "ready",
  "executing",
  "completed",
  "failed",
  "partially_failed",
  "cancelled",
] as const;

/**
 * The orion's overall state, derived from its tasks (see `deriveOrionState`).
 * @useDeclaredType
 */
export type OrionState = (typeof ORION_STATES)[number];

/** Every `OrionState`. */
export const orionStates: readonly OrionState[] = Object.freeze(ORION_STATES);

/**
 * The orion's state as UFO's `TaskConstellation.update_state` derives it from its tasks:
 * - no tasks: `created`;
 * - every task terminal: `failed` if some failed and none completed, `partially_failed` if some
 *   failed and some completed, otherwise `completed` (and `cancelled` when every task was
 *   cancelled, a case UFO's enum has no name for);
 * - otherwise `executing` if any task is running or completed;
 * - otherwise `ready`.
 *
 * O(tasks).
 */
export function deriveOrionState(orion: Pick<TaskOrion, "tasks">): OrionState {
  return stateFromCounts(countStatuses(orion.tasks));
}

/** How many tasks an orion has in each status that matters to its overall state. @internal */
export interface StatusCounts {
  total: number;
  running: number;
  completed: number;
  failed: number;
  cancelled: number;
}

/** An all-zero `StatusCounts`. @internal */
export function emptyCounts(): StatusCounts {
  return { total: 0, running: 0, completed: 0, failed: 0, cancelled: 0 };
}

/** Adds (`delta` 1) or removes (`delta` -1) one task of `status` to `counts`. @internal */
export function countStatus(counts: StatusCounts, status: string, delta: 1 | -1): void {
  counts.total += delta;
  if (status === "running") counts.running += delta;
  else if (status === "completed") counts.completed += delta;
  else if (status === "failed") counts.failed += delta;
  else if (status === "cancelled") counts.cancelled += delta;
}

/** The status counts of a task record, in one pass. @internal */
export function countStatuses(tasks: { readonly [taskId: string]: Task }): StatusCounts {
  const counts = emptyCounts();
  for (const key of recordKeys(tasks)) countStatus(counts, tasks[key]!.status, 1);
  return counts;
}

/** UFO's rule (see `deriveOrionState`) on status counts. @internal */
export function stateFromCounts(counts: StatusCounts): OrionState {
  if (counts.total === 0) return "created";
  if (counts.completed + counts.failed + counts.cancelled === counts.total) {
    if (counts.failed > 0) return counts.completed > 0 ? "partially_failed" : "failed";
    return counts.completed > 0 ? "completed" : "cancelled";
  }
  if (counts.running > 0 || counts.completed > 0) return "executing";
  return "ready";
}
