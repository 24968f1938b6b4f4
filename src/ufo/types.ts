/**
 * UFO's TaskConstellation JSON, in the form its `to_dict` writes (what `toUfoJson` returns):
 * lower-case enum values, integer priorities, ISO 8601 timestamps or `null`, tasks and
 * dependencies keyed by id.
 */
import type { JsonValue } from "../orion/types.js";

/** A task (UFO's `TaskStar.to_dict`). */
export interface UfoTaskJson {
  /** `Task.id`. */
  readonly task_id: string;
  /** `Task.name`. */
  readonly name: string;
  /** `Task.description`. */
  readonly description: string | null;
  /** Hints for the executing agent; kept in `Task.extra`. */
  readonly tips: JsonValue;
  /** `Task.targetDeviceId`. */
  readonly target_device_id: string | null;
  /** `Task.deviceType`. */
  readonly device_type: string | null;
  /** 1 LOW, 2 MEDIUM, 3 HIGH, 4 CRITICAL. */
  readonly priority: number;
  /** `Task.status`: one of UFO's `TaskStatus` values, lower case. */
  readonly status: string;
  /** `Task.result`. */
  readonly result: JsonValue;
  /** `Task.error`. */
  readonly error: JsonValue;
  /** UFO's per-task timeout; kept in `Task.extra`. */
  readonly timeout: JsonValue;
  /** How many retries UFO allows; kept in `Task.extra`. */
  readonly retry_count: JsonValue;
  /** Which retry UFO is on; kept in `Task.extra`. */
  readonly current_retry: JsonValue;
  /** `Task.params`. */
  readonly task_data: { readonly [key: string]: JsonValue };
  /** UFO's expected output type; kept in `Task.extra`. */
  readonly expected_output_type: JsonValue;
  /** An ISO 8601 timestamp; kept in `Task.extra`. */
  readonly created_at: JsonValue;
  /** An ISO 8601 timestamp; kept in `Task.extra`. */
  readonly updated_at: JsonValue;
  /** `Task.executionStartTime`, as ISO 8601. */
  readonly execution_start_time: string | null;
  /** `Task.executionEndTime`, as ISO 8601. */
  readonly execution_end_time: string | null;
  /** Seconds, derived from the two execution times. */
  readonly execution_duration: number | null;
  /** Ids of the tasks this one depends on (derived from the dependencies). */
  readonly dependencies: readonly string[];
  /** Ids of the tasks that depend on this one (derived from the dependencies). */
  readonly dependents: readonly string[];
  readonly [field: string]: JsonValue;
}

/** A dependency edge (UFO's `TaskStarLine.to_dict`). */
export interface UfoDependencyJson {
  /** `Dependency.id`. */
  readonly line_id: string;
  /** `Dependency.fromTaskId`. */
  readonly from_task_id: string;
  /** `Dependency.toTaskId`. */
  readonly to_task_id: string;
  /** `Dependency.type`: one of UFO's `DependencyType` values, lower case. */
  readonly dependency_type: string;
  /** `Dependency.condition` (empty when it has none). */
  readonly condition_description: string;
  /** Free-form data; kept in `Dependency.extra`. */
  readonly metadata: JsonValue;
  /** Derived: whether the edge is satisfied now (see `isDependencySatisfied`). */
  readonly is_satisfied: boolean;
  /** UFO's last evaluation of a condition; kept in `Dependency.extra`. */
  readonly last_evaluation_result: JsonValue;
  /** When UFO last evaluated it; kept in `Dependency.extra`. */
  readonly last_evaluation_time: JsonValue;
  /** An ISO 8601 timestamp; kept in `Dependency.extra`. */
  readonly created_at: JsonValue;
  /** An ISO 8601 timestamp; kept in `Dependency.extra`. */
  readonly updated_at: JsonValue;
  readonly [field: string]: JsonValue;
}

/** A constellation (UFO's `TaskConstellation.to_dict`). */
export interface UfoOrionJson {
  /** `TaskOrion.id`. */
  readonly constellation_id: string;
  /** `TaskOrion.name`. */
  readonly name: string | null;
  /** `TaskOrion.state`: one of UFO's `ConstellationState` values, lower case. */
  readonly state: string;
  /** The tasks, by `task_id`. */
  readonly tasks: { readonly [taskId: string]: UfoTaskJson };
  /** The dependencies, by `line_id`. */
  readonly dependencies: { readonly [lineId: string]: UfoDependencyJson };
  /** `TaskOrion.metadata`. */
  readonly metadata: { readonly [key: string]: JsonValue };
  readonly [field: string]: JsonValue;
}
