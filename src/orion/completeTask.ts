import type { ReadyTaskOptions } from "./getReadyTasks.js";
import { getOwn } from "../internal/records.js";
import { readyDependents } from "./internal/readyDependents.js";
import { replaceTasks } from "./internal/orionWithTasks.js";
import { finishedTask } from "./internal/taskTransitions.js";
import { UnknownTaskError } from "./errors.js";
import type { JsonValue, Task, TaskOrion } from "./types.js";

/** How a task ended: with a result, or with an error. */
export type TaskOutcome =
  | {
      /** The task completed. */
      readonly success: true;
      /** What it returned. */
      readonly result?: JsonValue;
    }
  | {
      /** The task failed. */
      readonly success: false;
      /** Why. */
      readonly error: JsonValue;
    };

/** The orion after a task finished, and the tasks that this made ready (priority order). */
export interface TaskTransition {
  /** The orion with the task finished and its state derived again. */
  readonly orion: TaskOrion;
  /** The tasks this made ready, in priority order. */
  readonly newlyReady: readonly Task[];
}

/**
 * Finishes a running task: `completed` with its result, or `failed` with its error, ended at
 * `at`. Derives the orion's state again and returns the tasks this made ready. Immer-produced:
 * every other task is the same object as before. O(tasks + dependencies).
 * @param at - end time in epoch (or virtual) milliseconds; defaults to `Date.now()`.
 * @param options - predicates for `conditional` dependencies, used to find `newlyReady`.
 * @throws UnknownTaskError - when the orion has no task `taskId`.
 * @throws IllegalTransitionError - when the task is not running (e.g. already completed).
 */
export function completeTask(
  orion: TaskOrion,
  taskId: string,
  outcome: TaskOutcome,
  at: number = Date.now(),
  options?: ReadyTaskOptions,
): TaskTransition {
  return endTask(orion, taskId, options, (task) => finishedTask(task, taskId, outcome, at));
}

/**
 * The body `completeTask` and `cancelTask` share: task `taskId` (which must exist) replaced by
 * `end(task)` (which throws if the transition is illegal), and the dependents this made ready.
 * @internal
 */
export function endTask(
  orion: TaskOrion,
  taskId: string,
  options: ReadyTaskOptions | undefined,
  end: (task: Task) => Task,
): TaskTransition {
  const task = getOwn(orion.tasks, taskId);
  if (task === undefined) throw new UnknownTaskError(orion.id, taskId);
  const next = replaceTasks(orion, [[taskId, end(task)]]);
  return { orion: next, newlyReady: readyDependents(next, taskId, options?.conditions) };
}
