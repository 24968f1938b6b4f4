import type { TaskOrion } from "../src/orion/types.js";
import { DEFAULT_ORION_ID } from "./DEFAULT_ORION_ID.js";

/**
 * A minimal valid orion: no tasks, no dependencies, state `created`. For events that must
 * carry an orion when the test is not about its content; build real ones with `orion()`
 * from the main entry.
 *
 * @example
 * orionModified(["a"], emptyOrion()); // an ORION_MODIFIED of "o1" carrying a newOrion
 */
export function emptyOrion(id: string = DEFAULT_ORION_ID): TaskOrion {
  return { id, state: "created", tasks: {}, dependencies: {} };
}
