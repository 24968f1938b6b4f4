/**
 * Orion events: what the orchestrator and the agent say on the event bus.
 *
 * A discriminated union on `type`, with the names of UFO's Galaxy event types. Events are
 * plain read-only data; `parseOrionEvent` turns anything (a JSON message, a broker entry)
 * into an event or a precise {@link InvalidEventError}.
 */
import { getOwn, isRecord } from "./internal/records.js";
import { describeThrown } from "./internal/describeThrown.js";
import { derivationStep, forgetParent } from "./orion/internal/derivedOrion.js";
import type { JsonValue, TaskOrion } from "./orion/types.js";

/** The event types the synchronizer understands. */
export const ORION_EVENT_TYPES = [
  "TASK_STARTED",
  "TASK_COMPLETED",
  "TASK_FAILED",
  "ORION_STARTED",
  "ORION_MODIFYING",
  "ORION_MODIFIED",
  "ORION_COMPLETED",
  "ORION_FAILED",
] as const;

/** One of {@link ORION_EVENT_TYPES}. */
export type OrionEventType = (typeof ORION_EVENT_TYPES)[number];

/**
 * An event's identity, unique within its orion. Optional on the wire (UFO's events have
 * none), always set by our bus, orchestrator and agent. With ids the fold recognises a
 * redelivered event as a duplicate whatever arrived in between, an answer can name the exact
 * task events it answers (`onEventIds`), and a gate can hold a value until the fold has seen
 * the event it was computed after. Without ids the fold falls back to per-task rules.
 */
export interface EventIdentity {
  /** Unique within the orion: two events with the same id are one event delivered twice. */
  readonly eventId?: string;
}

/** A task started, completed or failed in the orchestrator. */
export interface TaskEvent extends EventIdentity {
  /** Which of the three: a completion or failure starts a pending modification. */
  readonly type: "TASK_STARTED" | "TASK_COMPLETED" | "TASK_FAILED";
  /** The orion the task belongs to. */
  readonly orionId: string;
  /** The task's id in that orion. */
  readonly taskId: string;
  /** When it happened, in the publisher's clock (milliseconds). Informational. */
  readonly timestamp?: number;
  /** The task's result (`TASK_COMPLETED`). Informational: the synchronizer ignores it. */
  readonly result?: JsonValue;
  /** Why the task failed (`TASK_FAILED`). Informational: the synchronizer ignores it. */
  readonly error?: JsonValue;
  /** The tasks this completion made ready, as the orchestrator computed them. */
  readonly newlyReadyTaskIds?: readonly string[];
}

/** The orchestrator started executing an orion: it becomes the synchronizer's current orion. */
export interface OrionStartedEvent extends EventIdentity {
  readonly type: "ORION_STARTED";
  /** The orion's id; equal to `orion.id`. */
  readonly orionId: string;
  /** The orion as the orchestrator starts it. */
  readonly orion: TaskOrion;
}

/**
 * The agent finished its modification(s) for the tasks in `onTaskIds` (one event may cover
 * several completions: batched editing). `newOrion`, when present, is the edited orion.
 *
 * Which modifications it answers: with `onEventIds`, exactly the modifications registered
 * by those task events (of its orion); without, for each task in `onTaskIds`, that task's
 * oldest pending modification (UFO's `on_task_id` style), so a failure and the completion
 * of its retry need two answers.
 */
export interface OrionModifiedEvent extends EventIdentity {
  readonly type: "ORION_MODIFIED";
  /** The orion the agent modified. */
  readonly orionId: string;
  /** The completed (or failed) tasks whose modifications this event finishes; never empty. */
  readonly onTaskIds: readonly string[];
  /**
   * The ids of the `TASK_COMPLETED` / `TASK_FAILED` events answered; when present (never
   * empty) it decides what is answered, and `onTaskIds` should name their tasks.
   */
  readonly onEventIds?: readonly string[];
  /** The orion after the agent's edits; it becomes the synchronizer's current orion. */
  readonly newOrion?: TaskOrion;
}

/**
 * The agent declares, before its answer, which tasks it may still change for the
 * modifications it names (`onEventIds`, else each task's oldest in `onTaskIds`): their scope
 * narrows to `scope` (never widens), so ready tasks outside it may start while it works.
 * Optional: an agent that never declares keeps the scope policy's.
 */
export interface OrionModifyingEvent extends EventIdentity {
  readonly type: "ORION_MODIFYING";
  /** The orion the agent is modifying. */
  readonly orionId: string;
  /** The tasks whose modifications it declares for; never empty. */
  readonly onTaskIds: readonly string[];
  /** The task events whose modifications it declares for (decides, when present). */
  readonly onEventIds?: readonly string[];
  /** The task ids it may change (tasks it adds are always in scope); may be empty. */
  readonly scope: readonly string[];
}

/** The orion finished, successfully or not. */
export interface OrionEndedEvent extends EventIdentity {
  /** Whether the orion succeeded. */
  readonly type: "ORION_COMPLETED" | "ORION_FAILED";
  /** The orion that ended. */
  readonly orionId: string;
}

/** Everything that travels on an orion event bus. */
export type OrionEvent =
  TaskEvent | OrionStartedEvent | OrionModifyingEvent | OrionModifiedEvent | OrionEndedEvent;

/** What exactly is wrong with an event that failed {@link parseOrionEvent}. */
export type InvalidEventReason =
  | "not-an-object"
  | "unknown-type"
  | "missing-field"
  | "wrong-type"
  | "empty-value"
  /** Reading the value threw (a throwing getter, a revoked proxy...). */
  | "unreadable";

/**
 * An event that does not match the {@link OrionEvent} union. Returned (not thrown) by
 * {@link parseOrionEvent}; the fold counts it in `stats.invalidEvents` and reports it in
 * its state's `last` transition instead of failing the stream.
 */
export class InvalidEventError extends Error {
  /** Always `"InvalidEventError"`. */
  override readonly name = "InvalidEventError";
  /**
   * Made by {@link parseOrionEvent}; exported so callers can test `instanceof`.
   * @param reason - the kind of defect
   * @param path - where in the event it is, e.g. `onTaskIds[2]` (empty for the whole value)
   * @param detail - what was expected and what was found
   */
  constructor(
    readonly reason: InvalidEventReason,
    readonly path: string,
    detail: string,
  ) {
    super(
      path === "" ? `invalid orion event: ${detail}` : `invalid orion event: ${path}: ${detail}`,
    );
  }
}

/** Whether `event` is a {@link TaskEvent} (started, completed or failed). */
export function isTaskEvent(event: OrionEvent): event is TaskEvent {
  return (
    event.type === "TASK_STARTED" || event.type === "TASK_COMPLETED" || event.type === "TASK_FAILED"
  );
}

/** Whether `event` ends a task's run (completed or failed): the ones that start a modification. */
export function isTaskEnded(event: OrionEvent): event is TaskEvent & {
  /** A completion or a failure. */
  readonly type: "TASK_COMPLETED" | "TASK_FAILED";
} {
  return event.type === "TASK_COMPLETED" || event.type === "TASK_FAILED";
}

/** Whether `event` is the agent's {@link OrionModifiedEvent}. */
export function isOrionModified(event: OrionEvent): event is OrionModifiedEvent {
  return event.type === "ORION_MODIFIED";
}

/** Whether `event` is the agent's {@link OrionModifyingEvent} (a scope declaration). */
export function isOrionModifying(event: OrionEvent): event is OrionModifyingEvent {
  return event.type === "ORION_MODIFYING";
}

/** Whether `event` is an {@link OrionStartedEvent}. */
export function isOrionStarted(event: OrionEvent): event is OrionStartedEvent {
  return event.type === "ORION_STARTED";
}

/** Whether `event` ends an orion ({@link OrionEndedEvent}). */
export function isOrionEnded(event: OrionEvent): event is OrionEndedEvent {
  return event.type === "ORION_COMPLETED" || event.type === "ORION_FAILED";
}

/**
 * The event's own `eventId`, if it has one. Read as an own property, as the parse checked
 * it: an inherited one (through a hostile prototype) is not the event's.
 */
export function eventIdOf(event: OrionEvent): string | undefined {
  // By name, not through `getOwn`: the fold asks several times per event.
  return Object.hasOwn(event, "eventId") ? event.eventId : undefined;
}

/** The `onEventIds` of an answer or declaration, read as {@link eventIdOf} reads the id. */
export function answeredEventIds(
  event: OrionModifiedEvent | OrionModifyingEvent,
): readonly string[] | undefined {
  return Object.hasOwn(event, "onEventIds") ? event.onEventIds : undefined;
}

const knownTypes: ReadonlySet<string> = new Set(ORION_EVENT_TYPES);

/**
 * The longest id list an event may carry. The parse reads `length` before it walks a list,
 * so a hostile array (or proxy) claiming ten million entries costs nothing.
 */
export const MAX_EVENT_IDS = 100_000;

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return value.length > 40 ? "a long string" : JSON.stringify(value);
  return typeof value === "object" ? "an object" : `${typeof value} ${String(value)}`;
}

/** `value`, the event's own field `key`, as a required id. */
function requireId(key: string, value: unknown): InvalidEventError | string {
  if (value === undefined) return new InvalidEventError("missing-field", key, "is required");
  if (typeof value !== "string") {
    return new InvalidEventError("wrong-type", key, `expected a string, got ${describe(value)}`);
  }
  if (value === "") return new InvalidEventError("empty-value", key, "must not be empty");
  return value;
}

function checkStringList(
  value: unknown,
  path: string,
  allowEmpty: boolean,
  noun = "task id",
): InvalidEventError | null {
  if (!Array.isArray(value)) {
    return new InvalidEventError(
      "wrong-type",
      path,
      `expected an array of ${noun}s, got ${describe(value)}`,
    );
  }
  const length: unknown = value.length;
  if (typeof length !== "number" || length > MAX_EVENT_IDS) {
    return new InvalidEventError(
      "wrong-type",
      path,
      `has ${String(length)} entries; at most ${MAX_EVENT_IDS} are accepted`,
    );
  }
  if (!allowEmpty && length === 0) {
    return new InvalidEventError("empty-value", path, `must name at least one ${noun}`);
  }
  for (let i = 0; i < length; i++) {
    const id: unknown = value[i];
    if (typeof id !== "string" || id === "") {
      return new InvalidEventError(
        typeof id === "string" ? "empty-value" : "wrong-type",
        `${path}[${i}]`,
        `expected a non-empty ${noun}, got ${describe(id)}`,
      );
    }
  }
  return null;
}

function checkOrion(value: unknown, path: string, orionId: string): InvalidEventError | null {
  if (!isRecord(value)) {
    return new InvalidEventError(
      "wrong-type",
      path,
      `expected an orion object, got ${describe(value)}`,
    );
  }
  const id = getOwn(value, "id");
  if (typeof id !== "string") {
    return new InvalidEventError(
      "wrong-type",
      `${path}.id`,
      `expected a string, got ${describe(id)}`,
    );
  }
  if (id !== orionId) {
    return new InvalidEventError(
      "wrong-type",
      `${path}.id`,
      `is ${describe(id)} but the event's orionId is ${describe(orionId)}`,
    );
  }
  for (const key of ["tasks", "dependencies"]) {
    // Before reading `tasks`: reading a derived orion's would build its record.
    if (key === "tasks" && tasksCheckedByDerivation(value as unknown as TaskOrion)) continue;
    const records = getOwn(value, key);
    if (!isRecord(records)) {
      return new InvalidEventError(
        "wrong-type",
        `${path}.${key}`,
        `expected an object keyed by id, got ${describe(records)}`,
      );
    }
    // A frozen record checked once cannot change: agents' orions share unchanged records,
    // so an answer costs what it changed, not the whole orion.
    if (checkedRecords.has(records)) continue;
    // Each record must be an object (what it holds is validateOrion's business): the merge
    // and the validation read fields of every record.
    // Memoised only if frozen with plain data properties: a getter may answer differently.
    let memo = Object.isFrozen(records);
    for (const id of Object.keys(records)) {
      if (memo && !("value" in (Object.getOwnPropertyDescriptor(records, id) ?? {}))) memo = false;
      if (!isRecord(records[id])) {
        return new InvalidEventError(
          "wrong-type",
          `${path}.${key}[${JSON.stringify(id)}]`,
          `expected an object, got ${describe(records[id])}`,
        );
      }
    }
    if (memo) checkedRecords.add(records);
  }
  return null;
}

/** Frozen id-keyed records whose every entry was found to be an object. */
const checkedRecords = new WeakSet<object>();

/** Derived orions (`deriveOrion`) whose every task was found to be an object. */
const checkedOrions = new WeakSet<TaskOrion>();

/**
 * Whether `orion` is one the library derived (`deriveOrion`, the simulated agent's edit) from
 * an orion whose tasks were checked, replacing tasks that are objects: then every task is an
 * object, and only the replaced ones were looked at, without building its record. Its step is
 * then forgotten, so a long chain of answers does not keep every earlier one alive.
 */
function tasksCheckedByDerivation(orion: TaskOrion): boolean {
  if (checkedOrions.has(orion)) return true;
  const step = derivationStep(orion);
  if (step === undefined) return false;
  const { parent, parentRecord, replaced } = step;
  const parentChecked =
    (parentRecord !== undefined && checkedRecords.has(parentRecord)) ||
    (parent !== undefined && checkedOrions.has(parent));
  if (!parentChecked) return false;
  for (const task of replaced.values()) if (!isRecord(task)) return false;
  checkedOrions.add(orion);
  forgetParent(orion);
  return true;
}

/**
 * Checks that `value` is an {@link OrionEvent} and returns it, or returns an
 * {@link InvalidEventError} saying what is wrong (never throws). Only the event's own
 * envelope is checked; an orion it carries is checked for shape (an object with `id`,
 * `tasks` and `dependencies`, each task and dependency an object), not validated as a DAG.
 *
 * @example
 * const parsed = parseOrionEvent(JSON.parse(message));
 * if (parsed instanceof InvalidEventError) log.warn(parsed.message);
 * else bus.publish(parsed);
 */
export function parseOrionEvent(value: unknown): OrionEvent | InvalidEventError {
  try {
    return parse(value);
  } catch (error) {
    return new InvalidEventError("unreadable", "", `reading it threw ${describeThrown(error)}`);
  }
}

/**
 * Like {@link parseOrionEvent}, but on success returns a plain copy of the event's fields,
 * each read exactly once (id lists copied element by element, after their length is
 * bounded): what the fold applies is exactly what was checked, whatever getters or proxies
 * the value has. The orion an event carries is not copied.
 */
export function readOrionEvent(value: unknown): OrionEvent | InvalidEventError {
  try {
    if (!isRecord(value)) return parse(value);
    const copy = copyEventFields(value);
    return copy instanceof InvalidEventError ? copy : parse(copy);
  } catch (error) {
    return new InvalidEventError("unreadable", "", `reading it threw ${describeThrown(error)}`);
  }
}

/**
 * The fields an event may have, copied, and nothing else: the one list of them. Each read as
 * `getOwn` reads (own first: an event's prototype may be a hostile proxy) but written out field
 * by field, not as a loop over names: V8 compiles a read or store of a named field to a few
 * instructions, but one named by a variable goes through a generic lookup (measured: reading
 * an event took 6,700 instructions with a loop, 3,500 so; the parse reads its fields so too).
 */
function copyEventFields(
  value: Readonly<Record<string, unknown>>,
): Record<string, unknown> | InvalidEventError {
  const copy: Record<string, unknown> = {};
  let f: unknown;
  if (Object.hasOwn(value, "type") && (f = value["type"]) !== undefined) copy["type"] = f;
  if (Object.hasOwn(value, "orionId") && (f = value["orionId"]) !== undefined) copy["orionId"] = f;
  if (Object.hasOwn(value, "taskId") && (f = value["taskId"]) !== undefined) copy["taskId"] = f;
  if (Object.hasOwn(value, "eventId") && (f = value["eventId"]) !== undefined) copy["eventId"] = f;
  if (Object.hasOwn(value, "timestamp") && (f = value["timestamp"]) !== undefined)
    copy["timestamp"] = f;
  if (Object.hasOwn(value, "result") && (f = value["result"]) !== undefined) copy["result"] = f;
  if (Object.hasOwn(value, "error") && (f = value["error"]) !== undefined) copy["error"] = f;
  if (Object.hasOwn(value, "newlyReadyTaskIds") && (f = value["newlyReadyTaskIds"]) !== undefined) {
    const list = copyList(f, "newlyReadyTaskIds");
    if (list instanceof InvalidEventError) return list;
    copy["newlyReadyTaskIds"] = list ?? f;
  }
  if (Object.hasOwn(value, "onTaskIds") && (f = value["onTaskIds"]) !== undefined) {
    const list = copyList(f, "onTaskIds");
    if (list instanceof InvalidEventError) return list;
    copy["onTaskIds"] = list ?? f;
  }
  if (Object.hasOwn(value, "onEventIds") && (f = value["onEventIds"]) !== undefined) {
    const list = copyList(f, "onEventIds");
    if (list instanceof InvalidEventError) return list;
    copy["onEventIds"] = list ?? f;
  }
  if (Object.hasOwn(value, "scope") && (f = value["scope"]) !== undefined) {
    const list = copyList(f, "scope");
    if (list instanceof InvalidEventError) return list;
    copy["scope"] = list ?? f;
  }
  if (Object.hasOwn(value, "newOrion") && (f = value["newOrion"]) !== undefined)
    copy["newOrion"] = f;
  if (Object.hasOwn(value, "orion") && (f = value["orion"]) !== undefined) copy["orion"] = f;
  return copy;
}

/**
 * A copy of `field` if it is an array (its elements one by one, once its length is bounded),
 * an error if it is too long, `undefined` if it is no array (the field is then copied as it is,
 * for the parse to judge where its event's type has it): never
 * `field` itself, so that the caller can tell the outcomes apart without asking anything of a
 * value the event supplied (`instanceof` would run a proxy's trap, or take the event's own
 * `InvalidEventError` for ours).
 */
function copyList(field: unknown, key: string): unknown[] | InvalidEventError | undefined {
  if (!Array.isArray(field)) return undefined;
  const length: unknown = field.length;
  if (typeof length !== "number" || length > MAX_EVENT_IDS) {
    return new InvalidEventError(
      "wrong-type",
      key,
      `has ${String(length)} entries; at most ${MAX_EVENT_IDS} are accepted`,
    );
  }
  const list: unknown[] = new Array<unknown>(length);
  for (let i = 0; i < length; i++) list[i] = (field as readonly unknown[])[i];
  return list;
}

function parse(value: unknown): OrionEvent | InvalidEventError {
  if (!isRecord(value)) {
    return new InvalidEventError("not-an-object", "", `expected an object, got ${describe(value)}`);
  }
  const type = Object.hasOwn(value, "type") ? value["type"] : undefined;
  if (typeof type !== "string" || !knownTypes.has(type)) {
    return type === undefined
      ? new InvalidEventError("missing-field", "type", "is required")
      : new InvalidEventError(
          "unknown-type",
          "type",
          `expected one of ${ORION_EVENT_TYPES.join(", ")}, got ${describe(type)}`,
        );
  }
  const orionId = requireId(
    "orionId",
    Object.hasOwn(value, "orionId") ? value["orionId"] : undefined,
  );
  if (orionId instanceof InvalidEventError) return orionId;
  const eventId = Object.hasOwn(value, "eventId") ? value["eventId"] : undefined;
  if (eventId !== undefined) {
    const checked = requireId("eventId", eventId);
    if (checked instanceof InvalidEventError) return checked;
  }
  switch (type as OrionEventType) {
    case "TASK_STARTED":
    case "TASK_COMPLETED":
    case "TASK_FAILED": {
      const taskId = requireId(
        "taskId",
        Object.hasOwn(value, "taskId") ? value["taskId"] : undefined,
      );
      if (taskId instanceof InvalidEventError) return taskId;
      const timestamp = Object.hasOwn(value, "timestamp") ? value["timestamp"] : undefined;
      if (
        timestamp !== undefined &&
        (typeof timestamp !== "number" || !Number.isFinite(timestamp))
      ) {
        return new InvalidEventError(
          "wrong-type",
          "timestamp",
          `expected a finite number, got ${describe(timestamp)}`,
        );
      }
      const ready = Object.hasOwn(value, "newlyReadyTaskIds")
        ? value["newlyReadyTaskIds"]
        : undefined;
      const readyError =
        ready === undefined ? null : checkStringList(ready, "newlyReadyTaskIds", true);
      return readyError ?? (value as unknown as TaskEvent);
    }
    case "ORION_STARTED":
      return (
        checkOrion(Object.hasOwn(value, "orion") ? value["orion"] : undefined, "orion", orionId) ??
        (value as unknown as OrionStartedEvent)
      );
    case "ORION_MODIFYING": {
      const ids = Object.hasOwn(value, "onTaskIds") ? value["onTaskIds"] : undefined;
      if (ids === undefined)
        return new InvalidEventError("missing-field", "onTaskIds", "is required");
      const scope = Object.hasOwn(value, "scope") ? value["scope"] : undefined;
      if (scope === undefined)
        return new InvalidEventError("missing-field", "scope", "is required");
      const idsError = checkStringList(ids, "onTaskIds", false);
      if (idsError) return idsError;
      const eventIds = Object.hasOwn(value, "onEventIds") ? value["onEventIds"] : undefined;
      return (
        (eventIds === undefined
          ? null
          : checkStringList(eventIds, "onEventIds", false, "event id")) ??
        checkStringList(scope, "scope", true) ??
        (value as unknown as OrionModifyingEvent)
      );
    }
    case "ORION_MODIFIED": {
      const ids = Object.hasOwn(value, "onTaskIds") ? value["onTaskIds"] : undefined;
      if (ids === undefined)
        return new InvalidEventError("missing-field", "onTaskIds", "is required");
      const idsError = checkStringList(ids, "onTaskIds", false);
      if (idsError) return idsError;
      const eventIds = Object.hasOwn(value, "onEventIds") ? value["onEventIds"] : undefined;
      const eventIdsError =
        eventIds === undefined ? null : checkStringList(eventIds, "onEventIds", false, "event id");
      if (eventIdsError) return eventIdsError;
      const newOrion = Object.hasOwn(value, "newOrion") ? value["newOrion"] : undefined;
      const orionError = newOrion === undefined ? null : checkOrion(newOrion, "newOrion", orionId);
      return orionError ?? (value as unknown as OrionModifiedEvent);
    }
    case "ORION_COMPLETED":
    case "ORION_FAILED":
      return value as unknown as OrionEndedEvent;
  }
}
