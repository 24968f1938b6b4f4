import { DEFAULT_PRIORITY } from "../DEFAULT_PRIORITY.js";
import type { Task } from "../types.js";

/**
 * Orders tasks by priority, highest first (a missing priority counts as `DEFAULT_PRIORITY`),
 * then by id in UTF-16 code-unit order, so every run picks tasks in the same order.
 * @internal
 */
export function compareReadyTasks(a: Task, b: Task): number {
  return compareRanks(a.priority ?? DEFAULT_PRIORITY, a.id, b.priority ?? DEFAULT_PRIORITY, b.id);
}

/**
 * {@link compareReadyTasks} on a task's priority and id, for a caller that keeps them apart
 * from the task (the ready queue's heap entries): the order has this one home.
 * @internal
 */
export function compareRanks(
  priorityA: number,
  idA: string,
  priorityB: number,
  idB: string,
): number {
  const byPriority = priorityB - priorityA;
  if (byPriority !== 0) return byPriority;
  return idA < idB ? -1 : idA > idB ? 1 : 0;
}
