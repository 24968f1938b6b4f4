/** Event factories for our tests: `taskCompleted('a')` reads better than an object literal. */
import type { OrionEvent, OrionModifiedEvent, TaskEvent } from "../../src/events.js";
import type { TaskOrion } from "../../src/orion/types.js";

export const taskCompleted = (taskId: string, orionId = "o1"): TaskEvent => ({
  type: "TASK_COMPLETED",
  orionId,
  taskId,
});
export const taskFailed = (taskId: string, orionId = "o1"): TaskEvent => ({
  type: "TASK_FAILED",
  orionId,
  taskId,
  error: "boom",
});
export const taskStarted = (taskId: string, orionId = "o1"): TaskEvent => ({
  type: "TASK_STARTED",
  orionId,
  taskId,
});
export const orionModified = (
  onTaskIds: readonly string[],
  orionId = "o1",
  newOrion?: TaskOrion,
): OrionModifiedEvent =>
  newOrion === undefined
    ? { type: "ORION_MODIFIED", orionId, onTaskIds }
    : { type: "ORION_MODIFIED", orionId, onTaskIds, newOrion };
export const orionStarted = (orion: TaskOrion): OrionEvent => ({
  type: "ORION_STARTED",
  orionId: orion.id,
  orion,
});
export const orionCompleted = (orionId = "o1"): OrionEvent => ({
  type: "ORION_COMPLETED",
  orionId,
});

/** A minimal valid orion. */
export const emptyOrion = (id = "o1"): TaskOrion => ({
  id,
  state: "created",
  tasks: {},
  dependencies: {},
});
