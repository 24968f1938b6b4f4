import type { TaskEvent } from "../src/events.js";
import { taskEvent } from "./internal/taskEvent.js";
import type { TaskEventOptions } from "./TaskEventOptions.js";

/**
 * A `TASK_COMPLETED` event: task `taskId` completed. It is what registers a pending modification.
 *
 * The second argument is the orion id (default {@link DEFAULT_ORION_ID}, `"o1"`) or a
 * {@link TaskEventOptions} object for the other fields.
 *
 * @example
 * const values = eventValues({ c: taskCompleted("a"), x: taskCompleted("a", "o2") });
 */
export function taskCompleted(taskId: string, options?: string | TaskEventOptions): TaskEvent {
  return taskEvent("TASK_COMPLETED", taskId, options);
}
