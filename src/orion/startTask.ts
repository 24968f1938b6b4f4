import { getOwn } from "../internal/records.js";
import { replaceTasks } from "./internal/orionWithTasks.js";
import { startedTask } from "./internal/taskTransitions.js";
import { UnknownTaskError } from "./errors.js";
import type { TaskOrion } from "./types.js";

/**
 * Marks a not-started task (`pending` or `waiting_dependency`) as `running` from `at`, clearing
 * any result, error and end time, and derives the orion's state again. Immer-produced: every
 * other task is the same object as before. Whether the task is ready is the caller's business
 * (see `getReadyTasks`).
 * @param at - start time in epoch (or virtual) milliseconds; defaults to `Date.now()`.
 * @throws UnknownTaskError - when the orion has no task `taskId`.
 * @throws IllegalTransitionError - when the task is already running or terminal.
 */
export function startTask(orion: TaskOrion, taskId: string, at: number = Date.now()): TaskOrion {
  const task = getOwn(orion.tasks, taskId);
  if (task === undefined) throw new UnknownTaskError(orion.id, taskId);
  return replaceTasks(orion, [[taskId, startedTask(task, taskId, at)]]);
}
