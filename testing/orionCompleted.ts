import type { OrionEndedEvent } from "../src/events.js";
import { DEFAULT_ORION_ID } from "./DEFAULT_ORION_ID.js";

/**
 * An `ORION_COMPLETED` event: orion `orionId` (default {@link DEFAULT_ORION_ID}, `"o1"`)
 * finished successfully. The synchronizer and the scripted agent forget its current orion.
 *
 * @example
 * const values = eventValues({ c: taskCompleted("a"), e: orionCompleted() });
 */
export function orionCompleted(orionId: string = DEFAULT_ORION_ID): OrionEndedEvent {
  return { type: "ORION_COMPLETED", orionId };
}
