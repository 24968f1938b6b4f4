import { isTerminalStatus } from "./taskStatus.js";
import type { TaskOrion } from "./types.js";
import { recordKeys } from "./internal/recordFacts.js";

/**
 * Whether the orion has finished: it has at least one task and every task is terminal
 * (completed, failed or cancelled). An orion with no tasks is `created`, not complete: the agent
 * has not planned anything yet. Blocked tasks keep an orion incomplete (see `getBlockedTasks`).
 * O(tasks).
 */
export function isComplete(orion: Pick<TaskOrion, "tasks">): boolean {
  const keys = recordKeys(orion.tasks);
  if (keys.length === 0) return false;
  for (const key of keys) if (!isTerminalStatus(orion.tasks[key]!.status)) return false;
  return true;
}
