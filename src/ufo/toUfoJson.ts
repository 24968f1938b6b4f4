import { createRecord } from "../orion/internal/createRecord.js";
import { DEFAULT_PRIORITY } from "../orion/DEFAULT_PRIORITY.js";
import { getOwn } from "../internal/records.js";
import { isDependencySatisfied } from "../orion/dependencyType.js";
import type { Dependency, JsonValue, Task, TaskOrion } from "../orion/types.js";
import { formatIsoTimestamp } from "./internal/isoTimestamp.js";
import {
  dependencyExtraFields,
  orionExtraFields,
  taskExtraFields,
  type ExtraField,
} from "./internal/ufoFields.js";
import type { UfoDependencyJson, UfoOrionJson, UfoTaskJson } from "./types.js";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Writes an orion as UFO's TaskConstellation JSON, in the form UFO's own `to_dict` writes:
 * tasks and dependencies keyed by id, lower-case enum values, integer priorities, ISO 8601 UTC
 * timestamps (`2025-09-29T06:58:36.713140+00:00`) or `null`, and every field present. The
 * derived fields are computed: each task's `dependencies` and `dependents` and its
 * `execution_duration` (seconds), and each dependency's `is_satisfied` (with our rules, see
 * `isDependencySatisfied`). Fields kept in `extra` are written back, defaults filled in.
 *
 * The result is plain data for `JSON.stringify`; `fromUfoJson` reads it back to an equal orion.
 * Records are null-prototype objects, so ids such as `__proto__` are written as keys.
 * @throws RangeError - for an execution time outside the range of `Date`.
 */
export function toUfoJson(orion: TaskOrion): UfoOrionJson {
  const dependsOn = new Map<string, string[]>();
  const dependents = new Map<string, string[]>();
  const dependencies = createRecord<UfoDependencyJson>();
  for (const key of Object.keys(orion.dependencies)) {
    const dependency = orion.dependencies[key]!;
    push(dependsOn, dependency.toTaskId, dependency.fromTaskId);
    push(dependents, dependency.fromTaskId, dependency.toTaskId);
    const source = getOwn(orion.tasks, dependency.fromTaskId);
    dependencies[key] = writeDependency(dependency, isDependencySatisfied(dependency, source));
  }
  const tasks = createRecord<UfoTaskJson>();
  for (const key of Object.keys(orion.tasks)) {
    tasks[key] = writeTask(orion.tasks[key]!, dependsOn.get(key) ?? [], dependents.get(key) ?? []);
  }
  const json: Mutable<UfoOrionJson> = Object.assign(createRecord<JsonValue>(), {
    constellation_id: orion.id,
    name: orion.name ?? null,
    state: orion.state,
    tasks,
    dependencies,
    metadata: orion.metadata ?? createRecord<JsonValue>(),
  });
  writeExtra(json, orion.extra, orionExtraFields);
  return json;
}

function writeTask(
  task: Task,
  dependsOn: readonly string[],
  dependents: readonly string[],
): UfoTaskJson {
  const extra = task.extra;
  const start = task.executionStartTime;
  const end = task.executionEndTime;
  const json: Mutable<UfoTaskJson> = Object.assign(createRecord<JsonValue>(), {
    task_id: task.id,
    name: task.name,
    description: task.description ?? null,
    tips: extraValue(extra, "tips", taskExtraFields),
    target_device_id: task.targetDeviceId ?? null,
    device_type: task.deviceType ?? null,
    priority: task.priority ?? DEFAULT_PRIORITY,
    status: task.status,
    result: task.result ?? null,
    error: task.error ?? null,
    timeout: extraValue(extra, "timeout", taskExtraFields),
    retry_count: extraValue(extra, "retry_count", taskExtraFields),
    current_retry: extraValue(extra, "current_retry", taskExtraFields),
    task_data: task.params,
    expected_output_type: extraValue(extra, "expected_output_type", taskExtraFields),
    created_at: extraValue(extra, "created_at", taskExtraFields),
    updated_at: extraValue(extra, "updated_at", taskExtraFields),
    execution_start_time: start === undefined ? null : formatIsoTimestamp(start),
    execution_end_time: end === undefined ? null : formatIsoTimestamp(end),
    execution_duration:
      start === undefined || end === undefined ? null : Math.round(end - start) / 1000,
    dependencies: [...dependsOn],
    dependents: [...dependents],
  });
  writeExtra(json, extra, taskExtraFields);
  return json;
}

function writeDependency(dependency: Dependency, satisfied: boolean): UfoDependencyJson {
  const extra = dependency.extra;
  const json: Mutable<UfoDependencyJson> = Object.assign(createRecord<JsonValue>(), {
    line_id: dependency.id,
    from_task_id: dependency.fromTaskId,
    to_task_id: dependency.toTaskId,
    dependency_type: dependency.type,
    condition_description: dependency.condition ?? "",
    metadata: extraValue(extra, "metadata", dependencyExtraFields),
    is_satisfied: satisfied,
    last_evaluation_result: extraValue(extra, "last_evaluation_result", dependencyExtraFields),
    last_evaluation_time: extraValue(extra, "last_evaluation_time", dependencyExtraFields),
    created_at: extraValue(extra, "created_at", dependencyExtraFields),
    updated_at: extraValue(extra, "updated_at", dependencyExtraFields),
  });
  writeExtra(json, extra, dependencyExtraFields);
  return json;
}

/** A known extra field's value, or the default UFO writes for it. */
function extraValue(
  extra: { readonly [key: string]: JsonValue } | undefined,
  field: string,
  fields: { readonly [field: string]: ExtraField },
): JsonValue {
  const value = extra === undefined ? undefined : getOwn(extra, field);
  return value === undefined ? fields[field]!.default : value;
}

/** Adds the extra fields that are not known ones (those are already in place) to `json`. */
function writeExtra(
  json: { [key: string]: JsonValue },
  extra: { readonly [key: string]: JsonValue } | undefined,
  fields: { readonly [field: string]: ExtraField },
): void {
  for (const [key, field] of Object.entries(fields)) {
    if (!Object.hasOwn(json, key)) json[key] = extraValue(extra, key, fields) ?? field.default;
  }
  if (extra === undefined) return;
  for (const key of Object.keys(extra)) {
    if (!Object.hasOwn(json, key)) json[key] = extra[key]!;
  }
}

function push(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}
