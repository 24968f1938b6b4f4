import type { TaskTransition } from "./completeTask.js";
import type { ReadyTaskOptions } from "./getReadyTasks.js";
import { getOwn } from "./internal/getOwn.js";
import { readyDependents } from "./internal/readyDependents.js";
import { replaceTasks } from "./internal/replaceTasks.js";
import { withExecution } from "./internal/withExecution.js";
import { isTerminalStatus } from "./taskStatus.js";
import { IllegalTransitionError, UnknownTaskError } from "./errors.js";
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
  const task = getOwn(orion.tasks, taskId);
  if (task === undefined) throw new UnknownTaskError(orion.id, taskId);
  if (isTerminalStatus(task.status)) {
    throw new IllegalTransitionError(taskId, task.status, "cancelled");
  }
  const cancelled = withExecution(task, {
    status: "cancelled",
    ...(task.executionStartTime === undefined
      ? {}
      : { executionStartTime: task.executionStartTime }),
    executionEndTime: at,
  });
  const next = replaceTasks(orion, [[taskId, cancelled]]);
  return { orion: next, newlyReady: readyDependents(next, taskId, options?.conditions) };
}
