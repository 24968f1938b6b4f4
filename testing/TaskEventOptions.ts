import type { JsonValue } from "../src/orion/types.js";

/**
 * The optional fields of a task event made by {@link taskStarted}, {@link taskCompleted} or
 * {@link taskFailed}. A field left out is absent from the event (not `undefined`), so
 * factory-made events compare equal (`toStrictEqual`) to the ones a real publisher sends.
 *
 * @example
 * taskCompleted("fetch", { orionId: "o2", result: { rows: 3 }, newlyReadyTaskIds: ["parse"] });
 */
export interface TaskEventOptions {
  /** The orion the task belongs to. Default {@link DEFAULT_ORION_ID} (`"o1"`). */
  readonly orionId?: string;
  /** When it happened, in the publisher's clock (ms). */
  readonly timestamp?: number;
  /** The task's result. */
  readonly result?: JsonValue;
  /** The task's error. */
  readonly error?: JsonValue;
  /** The tasks this completion made ready. */
  readonly newlyReadyTaskIds?: readonly string[];
}
