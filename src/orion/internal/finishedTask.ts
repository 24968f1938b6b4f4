import type { TaskOutcome } from "../completeTask.js";
import { IllegalTransitionError } from "../errors.js";
import type { Task } from "../types.js";
import { withExecution } from "./withExecution.js";

/**
 * `task` once `outcome` ended its run at `at`: completed with its result, or failed with its
 * error. The one rule of a run's end, shared by `completeTask` and `OrionRun`.
 * @throws IllegalTransitionError unless `task` is running.
 */
export function finishedTask(task: Task, taskId: string, outcome: TaskOutcome, at: number): Task {
  const status = outcome.success ? "completed" : "failed";
  if (task.status !== "running") throw new IllegalTransitionError(taskId, task.status, status);
  return withExecution(task, {
    status,
    ...(outcome.success
      ? outcome.result === undefined
        ? {}
        : { result: outcome.result }
      : { error: outcome.error }),
    ...(task.executionStartTime === undefined
      ? {}
      : { executionStartTime: task.executionStartTime }),
    executionEndTime: at,
  });
}
