import type { TaskEvent } from "../src/events.js";
import { taskEvent } from "./internal/taskEvent.js";
import type { TaskEventOptions } from "./TaskEventOptions.js";

/**
 * A `TASK_FAILED` event: task `taskId` failed. A failure registers a pending modification, like a completion.
 *
 * The second argument is the orion id (default {@link DEFAULT_ORION_ID}, `"o1"`) or a
 * {@link TaskEventOptions} object for the other fields.
 *
 * @example
 * taskFailed("b", { error: { message: "HTTP 503" } });
 */
export function taskFailed(taskId: string, options?: string | TaskEventOptions): TaskEvent {
  return taskEvent("TASK_FAILED", taskId, options);
}
