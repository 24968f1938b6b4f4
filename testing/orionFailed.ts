import type { OrionEndedEvent } from "../src/events.js";
import { DEFAULT_ORION_ID } from "./DEFAULT_ORION_ID.js";

/**
 * An `ORION_FAILED` event: orion `orionId` (default {@link DEFAULT_ORION_ID}, `"o1"`)
 * failed. The synchronizer and the scripted agent forget its current orion.
 *
 * @example
 * const values = eventValues({ c: taskCompleted("a"), e: orionFailed() });
 */
export function orionFailed(orionId: string = DEFAULT_ORION_ID): OrionEndedEvent {
  return { type: "ORION_FAILED", orionId };
}
