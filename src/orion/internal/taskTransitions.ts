/**
 * A task's transitions (start, end, cancellation) as the task objects they make: one home for
 * each rule, whether the model's functions or a run apply it. @module
 */
import type { TaskOutcome } from "../completeTask.js";
import { IllegalTransitionError } from "../errors.js";
import { isNotStarted, isTerminalStatus } from "../taskStatus.js";
import type { Task } from "../types.js";
import { withExecution } from "./withExecution.js";

/**
 * `task` running from `at`, with any result, error and end time cleared. The one rule of a
 * start, shared by `startTask` and `OrionRun`.
 * @throws IllegalTransitionError unless `task` has not started.
 */
export function startedTask(task: Task, taskId: string, at: number): Task {
  if (!isNotStarted(task.status)) throw new IllegalTransitionError(taskId, task.status, "running");
  return withExecution(task, { status: "running", executionStartTime: at });
}

/**
 * `task` once `outcome` ended its run at `at`: completed with its result, or failed with its
 * error. The one rule of a run's end, shared by `completeTask` and `OrionRun`.
 * @throws IllegalTransitionError unless `task` is running.
 */
export function finishedTask(task: Task, taskId: string, outcome: TaskOutcome, at: number): Task {
  const status = outcome.success ? "completed" : "failed";
  if (task.status !== "running") throw new IllegalTransitionError(taskId, task.status, status);
  // A literal, not spreads of optional parts: `withExecution` drops what is `undefined`.
  return withExecution(task, {
    status,
    result: outcome.success ? outcome.result : undefined,
    error: outcome.success ? undefined : outcome.error,
    executionStartTime: task.executionStartTime,
    executionEndTime: at,
  });
}

/**
 * `task` cancelled at `at`: its start kept, if it had one. The one rule of a cancellation,
 * shared by `cancelTask` and `OrionRun`.
 * @throws IllegalTransitionError if `task` is already terminal.
 */
export function cancelledTask(task: Task, taskId: string, at: number): Task {
  if (isTerminalStatus(task.status)) {
    throw new IllegalTransitionError(taskId, task.status, "cancelled");
  }
  return withExecution(task, {
    status: "cancelled",
    executionStartTime: task.executionStartTime,
    executionEndTime: at,
  });
}
