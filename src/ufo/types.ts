/**
 * UFO's TaskConstellation JSON, in the form its `to_dict` writes (what `toUfoJson` returns):
 * lower-case enum values, integer priorities, ISO 8601 timestamps or `null`, tasks and
 * dependencies keyed by id.
 */
import type { JsonValue } from "../orion/types.js";

/** A task (UFO's `TaskStar.to_dict`). */
export interface UfoTaskJson {
  readonly task_id: string;
  readonly name: string;
  readonly description: string | null;
  readonly tips: JsonValue;
  readonly target_device_id: string | null;
  readonly device_type: string | null;
  /** 1 LOW, 2 MEDIUM, 3 HIGH, 4 CRITICAL. */
  readonly priority: number;
  readonly status: string;
  readonly result: JsonValue;
  readonly error: JsonValue;
  readonly timeout: JsonValue;
  readonly retry_count: JsonValue;
  readonly current_retry: JsonValue;
  readonly task_data: { readonly [key: string]: JsonValue };
  readonly expected_output_type: JsonValue;
  readonly created_at: JsonValue;
  readonly updated_at: JsonValue;
  readonly execution_start_time: string | null;
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
  readonly line_id: string;
  readonly from_task_id: string;
  readonly to_task_id: string;
  readonly dependency_type: string;
  readonly condition_description: string;
  readonly metadata: JsonValue;
  /** Derived: whether the edge is satisfied now (see `isDependencySatisfied`). */
  readonly is_satisfied: boolean;
  readonly last_evaluation_result: JsonValue;
  readonly last_evaluation_time: JsonValue;
  readonly created_at: JsonValue;
  readonly updated_at: JsonValue;
  readonly [field: string]: JsonValue;
}

/** A constellation (UFO's `TaskConstellation.to_dict`). */
export interface UfoOrionJson {
  readonly constellation_id: string;
  readonly name: string | null;
  readonly state: string;
  readonly tasks: { readonly [taskId: string]: UfoTaskJson };
  readonly dependencies: { readonly [lineId: string]: UfoDependencyJson };
  readonly metadata: { readonly [key: string]: JsonValue };
  readonly [field: string]: JsonValue;
}
