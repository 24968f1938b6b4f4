import type { OrionState } from "../types.js";

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

/**
 * UFO's rules for a constellation's state, from the counts of its task statuses (see
 * `deriveOrionState`).
 * @internal
 */
export function stateFromCounts(counts: StatusCounts): OrionState {
  if (counts.total === 0) return "created";
  if (counts.completed + counts.failed + counts.cancelled === counts.total) {
    if (counts.failed > 0) return counts.completed > 0 ? "partially_failed" : "failed";
    return counts.completed > 0 ? "completed" : "cancelled";
  }
  if (counts.running > 0 || counts.completed > 0) return "executing";
  return "ready";
}
