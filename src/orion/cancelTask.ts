import { endTask, type TaskTransition } from "./completeTask.js";
import type { ReadyTaskOptions } from "./getReadyTasks.js";
import { cancelledTask } from "./internal/taskTransitions.js";
import type { TaskOrion } from "./types.js";

/**
 * Cancels a task that has not finished (not started, or running), ended at `at`. A cancelled
 * task is terminal, so `unconditional` and `completion_only` dependents may become ready: they
 * are returned, as by `completeTask`. O(tasks + dependencies).
 * @param at - end time in epoch (or virtual) milliseconds; defaults to `Date.now()`.
 * @param options - predicates for `conditional` dependencies, used to find `newlyReady`.
 * @throws UnknownTaskError - when the orion has no task `taskId`.
 * @throws IllegalTransitionError - when the task is already terminal.
 */
export function cancelTask(
  orion: TaskOrion,
  taskId: string,
  at: number = Date.now(),
  options?: ReadyTaskOptions,
): TaskTransition {
  return endTask(orion, taskId, options, (task) => cancelledTask(task, taskId, at));
}
