import type { TaskEvent } from "../../src/events.js";
import { DEFAULT_ORION_ID } from "../DEFAULT_ORION_ID.js";
import type { TaskEventOptions } from "../TaskEventOptions.js";

/** A task event of `type`: the shared body of the three task event factories. */
export function taskEvent(
  type: TaskEvent["type"],
  taskId: string,
  options: string | TaskEventOptions | undefined,
): TaskEvent {
  const o: TaskEventOptions = typeof options === "string" ? { orionId: options } : (options ?? {});
  const event: { -readonly [P in keyof TaskEvent]: TaskEvent[P] } = {
    type,
    orionId: o.orionId ?? DEFAULT_ORION_ID,
    taskId,
  };
  if (o.timestamp !== undefined) event.timestamp = o.timestamp;
  if (o.result !== undefined) event.result = o.result;
  if (o.error !== undefined) event.error = o.error;
  if (o.newlyReadyTaskIds !== undefined) event.newlyReadyTaskIds = [...o.newlyReadyTaskIds];
  return event;
}
