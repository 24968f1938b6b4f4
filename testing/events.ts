/**
 * Event factories, one for each of UFO's seven event types (the agent's declaration,
 * `ORION_MODIFYING`, is written out where a test needs it), for marble value maps and
 * hand-written streams. Each makes exactly the event a real publisher sends (a field left out
 * is absent, not `undefined`), with orion {@link DEFAULT_ORION_ID} unless told otherwise.
 */
import type {
  OrionEndedEvent,
  OrionModifiedEvent,
  OrionStartedEvent,
  TaskEvent,
} from "../src/events.js";
import type { JsonValue, TaskOrion } from "../src/orion/types.js";

/**
 * The orion id the event factories use when none is given, and that {@link pendingIds} leaves
 * out of its output: most tests are about one orion, and `"o1"` keeps marble maps short.
 *
 * @example
 * taskCompleted("a").orionId; // "o1"
 * taskCompleted("a", "o2").orionId; // "o2"
 */
export const DEFAULT_ORION_ID = "o1";

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

/** A task event of `type`: the shared body of the three task event factories. */
function taskEvent(
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
