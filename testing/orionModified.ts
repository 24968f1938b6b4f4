import type { OrionModifiedEvent } from "../src/events.js";
import type { TaskOrion } from "../src/orion/types.js";
import { DEFAULT_ORION_ID } from "./DEFAULT_ORION_ID.js";

/** The optional fields of an {@link orionModified} event. */
export interface OrionModifiedOptions {
  /** The orion the modification is for. Default: `newOrion.id`, else {@link DEFAULT_ORION_ID}. */
  readonly orionId?: string;
  /** The edited orion. Absent: the agent answered without changing the orion. */
  readonly newOrion?: TaskOrion;
}

/**
 * An `ORION_MODIFIED` event: the agent finished its modification(s) for the tasks in
 * `onTaskIds` (one event may answer several completions). Which orion:
 *
 * - `orionModified(["a", "b"])`: orion {@link DEFAULT_ORION_ID} (`"o1"`), no `newOrion`;
 * - `orionModified(["a"], newOrion)`: with the edited orion, for orion `newOrion.id`;
 * - `orionModified(["a"], "o2")` or `orionModified(["a"], "o2", newOrion)`: orion `"o2"`;
 * - `orionModified(["a"], { orionId, newOrion })`: the same, as an options object.
 *
 * The ids are copied; `newOrion` is carried as is (no check that its id matches, so a test
 * can build an inconsistent event on purpose).
 *
 * @example
 * const edited = orion("o1").task("a").task("b", { after: "a" }).build();
 * const values = eventValues({ c: taskCompleted("a"), m: orionModified(["a"], edited) });
 */
export function orionModified(
  onTaskIds: readonly string[],
  newOrion?: TaskOrion | OrionModifiedOptions,
): OrionModifiedEvent;
/** `orionModified(onTaskIds, orionId, newOrion?)`: for orion `orionId`. */
export function orionModified(
  onTaskIds: readonly string[],
  orionId: string,
  newOrion?: TaskOrion,
): OrionModifiedEvent;
export function orionModified(
  onTaskIds: readonly string[],
  second?: string | TaskOrion | OrionModifiedOptions,
  third?: TaskOrion,
): OrionModifiedEvent {
  let orionId: string | undefined;
  let newOrion: TaskOrion | undefined;
  if (typeof second === "string") {
    orionId = second;
    newOrion = third;
  } else if (second !== undefined && isOrion(second)) {
    newOrion = second;
  } else if (second !== undefined) {
    orionId = second.orionId;
    newOrion = second.newOrion;
  }
  const id = orionId ?? newOrion?.id ?? DEFAULT_ORION_ID;
  return newOrion === undefined
    ? { type: "ORION_MODIFIED", orionId: id, onTaskIds: [...onTaskIds] }
    : { type: "ORION_MODIFIED", orionId: id, onTaskIds: [...onTaskIds], newOrion };
}

function isOrion(value: TaskOrion | OrionModifiedOptions): value is TaskOrion {
  return "tasks" in value && "dependencies" in value;
}
