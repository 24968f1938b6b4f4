import { DEFAULT_PRIORITY } from "../DEFAULT_PRIORITY.js";
import type { Task } from "../types.js";

/**
 * Orders tasks by priority, highest first (a missing priority counts as `DEFAULT_PRIORITY`),
 * then by id in UTF-16 code-unit order, so every run picks tasks in the same order.
 * @internal
 */
export function compareReadyTasks(a: Task, b: Task): number {
  const byPriority = (b.priority ?? DEFAULT_PRIORITY) - (a.priority ?? DEFAULT_PRIORITY);
  if (byPriority !== 0) return byPriority;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
