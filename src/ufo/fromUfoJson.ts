import { createRecord } from "../orion/internal/createRecord.js";
import { dependencyTypes } from "../orion/dependencyType.js";
import { orionStates } from "../orion/orionState.js";
import { taskStatuses } from "../orion/taskStatus.js";
import type { Dependency, JsonValue, Task, TaskOrion } from "../orion/types.js";
import { parseIsoTimestamp } from "./internal/isoTimestamp.js";
import { childPath, describeValue } from "./internal/jsonPath.js";
import { readEnum } from "./internal/readEnum.js";
import { isPlainObject, readJsonObject, readJsonValue } from "./internal/readJsonValue.js";
import { readPriority } from "./internal/readPriority.js";
import {
  dependencyExtraFields,
  derivedDependencyFields,
  derivedTaskFields,
  orionExtraFields,
  taskExtraFields,
  type ExtraField,
} from "./internal/ufoFields.js";
import { UfoFormatError } from "./UfoFormatError.js";

type Fields = { readonly [key: string]: unknown };

/** Fields read into first-class model fields (or derived, so ignored), by record kind. */
const orionFields: ReadonlySet<string> = new Set([
  "constellation_id",
  "name",
  "state",
  "tasks",
  "dependencies",
  "metadata",
]);
const taskFields: ReadonlySet<string> = new Set([
  "task_id",
  "name",
  "description",
  "target_device_id",
  "device_type",
  "priority",
  "status",
  "result",
  "error",
  "task_data",
  "execution_start_time",
  "execution_end_time",
  ...derivedTaskFields,
]);
const dependencyFields: ReadonlySet<string> = new Set([
  "line_id",
  "from_task_id",
  "to_task_id",
  "dependency_type",
  "condition_description",
  ...derivedDependencyFields,
]);

/**
 * Reads UFO's TaskConstellation JSON (a parsed value, as from `JSON.parse`) into an orion.
 *
 * - Tasks and dependencies may be keyed by id (what UFO writes) or listed (what some of its
 *   examples use). Keyed, a record keeps its key even when its id field says otherwise, so
 *   `validateOrion` can report the mismatch; listed, ids must be unique.
 * - Enum fields take UFO's lower-case values (`pending`, `success_only`) or upper-case names
 *   (`PENDING`); priorities the integers 1-4 or the names `LOW`..`CRITICAL`; device types are
 *   lower-cased, as UFO's enum values are.
 * - Timestamps are ISO 8601 strings or `null`; execution times become epoch milliseconds.
 * - A task's `dependencies`/`dependents` lists, `execution_duration` and a dependency's
 *   `is_satisfied` are derived data and ignored: the edges are the truth.
 * - Fields with no place in the model go to `extra` (unless they hold UFO's default), so
 *   `toUfoJson` writes them back.
 *
 * Nothing is validated beyond the format: an orion with dangling edges or cycles reads fine
 * (see `validateOrion`). Records are null-prototype objects, so ids such as `__proto__` are safe.
 * @throws UfoFormatError - for anything malformed, naming its JSON path; never another error.
 */
export function fromUfoJson(value: unknown): TaskOrion {
  try {
    return readOrion(value);
  } catch (error) {
    if (isUfoFormatError(error)) throw error;
    throw new UfoFormatError("$", `unreadable input (${reasonOf(error)})`, { cause: error });
  }
}

/** The message of a thrown value; never throws (it may be a proxy, or unprintable). */
function reasonOf(error: unknown): string {
  try {
    return error instanceof Error ? `${error.message}` : String(error);
  } catch {
    return "a value that cannot be printed";
  }
}

/** `error instanceof UfoFormatError`, and `false` for a thrown proxy that cannot say. */
function isUfoFormatError(error: unknown): boolean {
  try {
    return error instanceof UfoFormatError;
  } catch {
    return false;
  }
}

function readOrion(value: unknown): TaskOrion {
  const fields = readFields(value, "$");
  const id = readString(fields.constellation_id, "constellation_id");
  const name = readOptionalString(fields.name, "name");
  const state = readEnum(fields.state, "state", orionStates, "created");
  const tasks = readCollection(fields.tasks, "tasks", "task_id", readTask);
  const dependencies = readCollection(
    fields.dependencies,
    "dependencies",
    "line_id",
    readDependency,
  );
  const metadata =
    fields.metadata === undefined || fields.metadata === null
      ? undefined
      : readJsonObject(fields.metadata, "metadata");
  const extra = readExtra(fields, "$", orionExtraFields, orionFields);
  return {
    id,
    ...(name === undefined ? {} : { name }),
    state,
    tasks,
    dependencies,
    ...(metadata === undefined || Object.keys(metadata).length === 0 ? {} : { metadata }),
    ...(extra === undefined ? {} : { extra }),
  };
}

function readTask(fields: Fields, path: string, id: string): Task {
  const name = readOptionalString(fields.name, childPath(path, "name")) ?? "";
  const description = readOptionalString(fields.description, childPath(path, "description"));
  const targetDeviceId = readOptionalString(
    fields.target_device_id,
    childPath(path, "target_device_id"),
  );
  const deviceType = readOptionalString(fields.device_type, childPath(path, "device_type"));
  const priority = readPriority(fields.priority, childPath(path, "priority"));
  const status = readEnum(fields.status, childPath(path, "status"), taskStatuses, "pending");
  const result = readOptionalJson(fields.result, childPath(path, "result"));
  const error = readOptionalJson(fields.error, childPath(path, "error"));
  const params =
    fields.task_data === undefined || fields.task_data === null
      ? createRecord<JsonValue>()
      : readJsonObject(fields.task_data, childPath(path, "task_data"));
  const start = readOptionalTime(
    fields.execution_start_time,
    childPath(path, "execution_start_time"),
  );
  const end = readOptionalTime(fields.execution_end_time, childPath(path, "execution_end_time"));
  const extra = readExtra(fields, path, taskExtraFields, taskFields);
  return {
    id,
    name,
    ...(description === undefined ? {} : { description }),
    status,
    priority,
    ...(deviceType === undefined ? {} : { deviceType: deviceType.toLowerCase() }),
    ...(targetDeviceId === undefined ? {} : { targetDeviceId }),
    params,
    ...(result === undefined ? {} : { result }),
    ...(error === undefined ? {} : { error }),
    ...(start === undefined ? {} : { executionStartTime: start }),
    ...(end === undefined ? {} : { executionEndTime: end }),
    ...(extra === undefined ? {} : { extra }),
  };
}

function readDependency(fields: Fields, path: string, id: string): Dependency {
  const fromTaskId = readString(fields.from_task_id, childPath(path, "from_task_id"));
  const toTaskId = readString(fields.to_task_id, childPath(path, "to_task_id"));
  const type = readEnum(
    fields.dependency_type,
    childPath(path, "dependency_type"),
    dependencyTypes,
    "unconditional",
  );
  const condition = readOptionalString(
    fields.condition_description,
    childPath(path, "condition_description"),
  );
  const extra = readExtra(fields, path, dependencyExtraFields, dependencyFields);
  return {
    id,
    fromTaskId,
    toTaskId,
    type,
    ...(condition === undefined || condition === "" ? {} : { condition }),
    ...(extra === undefined ? {} : { extra }),
  };
}

/**
 * A record of tasks or dependencies from either layout: an object keyed by id (the id field
 * defaults to the key) or an array (the id field is required and must be unique).
 */
function readCollection<T>(
  value: unknown,
  path: string,
  idField: string,
  readItem: (fields: Fields, path: string, id: string) => T,
): { [id: string]: T } {
  const record = createRecord<T>();
  if (value === undefined || value === null) return record;
  if (Array.isArray(value)) {
    const items: readonly unknown[] = value;
    const firstIndex = new Map<string, number>();
    for (let i = 0; i < items.length; i++) {
      const itemPath = childPath(path, i);
      const fields = readFields(items[i], itemPath);
      const idPath = childPath(itemPath, idField);
      const id = readString(fields[idField], idPath);
      const first = firstIndex.get(id);
      if (first !== undefined) {
        throw new UfoFormatError(
          idPath,
          `duplicate id ${JSON.stringify(id)} (also ${childPath(path, first)})`,
        );
      }
      firstIndex.set(id, i);
      record[id] = readItem(fields, itemPath, id);
    }
    return record;
  }
  if (!isPlainObject(value)) {
    throw new UfoFormatError(
      path,
      `expected an object keyed by id or an array, got ${describeValue(value)}`,
    );
  }
  for (const key of Object.keys(value)) {
    const itemPath = childPath(path, key);
    const fields = readFields(value[key], itemPath);
    const idValue = fields[idField];
    const id =
      idValue === undefined || idValue === null
        ? key
        : readString(idValue, childPath(itemPath, idField));
    record[key] = readItem(fields, itemPath, id);
  }
  return record;
}

/** The extra fields of a record: known ones checked and defaults dropped, unknown ones kept. */
function readExtra(
  fields: Fields,
  path: string,
  extraFields: { readonly [field: string]: ExtraField },
  firstClass: ReadonlySet<string>,
): { [key: string]: JsonValue } | undefined {
  let extra: { [key: string]: JsonValue } | undefined;
  for (const key of Object.keys(fields)) {
    if (firstClass.has(key)) continue;
    const fieldPath = childPath(path, key);
    const spec = Object.hasOwn(extraFields, key) ? extraFields[key] : undefined;
    const value = readJsonValue(fields[key], fieldPath);
    if (spec !== undefined) {
      checkExtra(value, fieldPath, spec);
      if (jsonEqual(value, spec.default)) continue;
    }
    extra ??= createRecord<JsonValue>();
    extra[key] = value;
  }
  return extra;
}

function checkExtra(value: JsonValue, path: string, spec: ExtraField): void {
  if (value === null && spec.default === null) return;
  const fail = (expected: string): never => {
    throw new UfoFormatError(path, `expected ${expected}, got ${describeValue(value)}`);
  };
  switch (spec.kind) {
    case "any":
      return;
    case "string":
      if (typeof value !== "string") fail("a string or null");
      return;
    case "boolean":
      if (typeof value !== "boolean") fail("a boolean");
      return;
    case "count":
      if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
        fail("a non-negative integer");
      }
      return;
    case "seconds":
      if (typeof value !== "number" || value < 0) fail("a non-negative number of seconds or null");
      return;
    case "timestamp":
      parseIsoTimestamp(value, path);
      return;
    case "strings":
      if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) {
        fail("a list of strings or null");
      }
      return;
    case "object":
      if (!isPlainObject(value)) fail("an object");
      return;
  }
}

function jsonEqual(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  return (
    isPlainObject(a) &&
    isPlainObject(b) &&
    Object.keys(a).length === 0 &&
    Object.keys(b).length === 0
  );
}

function readFields(value: unknown, path: string): Fields {
  if (!isPlainObject(value))
    throw new UfoFormatError(path, `expected an object, got ${describeValue(value)}`);
  return value;
}

function readString(value: unknown, path: string): string {
  if (typeof value !== "string")
    throw new UfoFormatError(path, `expected a string, got ${describeValue(value)}`);
  return value;
}

function readOptionalString(value: unknown, path: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  return readString(value, path);
}

function readOptionalJson(value: unknown, path: string): JsonValue | undefined {
  if (value === undefined || value === null) return undefined;
  return readJsonValue(value, path);
}

function readOptionalTime(value: unknown, path: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  return parseIsoTimestamp(value, path);
}
