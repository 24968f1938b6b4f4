import type { TaskEvent } from "../src/events.js";
import { taskEvent } from "./internal/taskEvent.js";
import type { TaskEventOptions } from "./TaskEventOptions.js";

/**
 * A `TASK_STARTED` event: task `taskId` started running. Starting a task again lets its next completion register afresh.
 *
 * The second argument is the orion id (default {@link DEFAULT_ORION_ID}, `"o1"`) or a
 * {@link TaskEventOptions} object for the other fields.
 *
 * @example
 * taskStarted("a"); // { type: "TASK_STARTED", orionId: "o1", taskId: "a" }
 */
export function taskStarted(taskId: string, options?: string | TaskEventOptions): TaskEvent {
  return taskEvent("TASK_STARTED", taskId, options);
}
