import type { OrionStartedEvent } from "../src/events.js";
import type { TaskOrion } from "../src/orion/types.js";
import { emptyOrion } from "./emptyOrion.js";

/**
 * An `ORION_STARTED` event: the orchestrator started executing `orion`, which becomes the
 * synchronizer's current orion (and the scripted agent's view). The event's `orionId` is
 * `orion.id`. Without an orion, an {@link emptyOrion} with id {@link DEFAULT_ORION_ID}.
 *
 * @example
 * const plan = orion("o1").task("fetch").task("parse", { after: "fetch" }).build();
 * const values = eventValues({ s: orionStarted(plan), c: taskCompleted("fetch") });
 */
export function orionStarted(orion: TaskOrion = emptyOrion()): OrionStartedEvent {
  return { type: "ORION_STARTED", orionId: orion.id, orion };
}
