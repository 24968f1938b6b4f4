import type { JsonValue } from "../../orion/types.js";

/**
 * UFO fields that have no first-class place in the model and go to `extra`, with the value
 * UFO's `to_dict` writes when it has nothing to say. Reading leaves out a field that holds its
 * default and writing puts the default back, so orions stay small and round-trips stay exact.
 * Each kind says how the field is checked on reading.
 * @internal
 */
export interface ExtraField {
  readonly default: JsonValue;
  readonly kind:
    "any" | "string" | "count" | "seconds" | "timestamp" | "strings" | "object" | "boolean";
}

/** A task's extra fields, in `to_dict` order. @internal */
export const taskExtraFields: { readonly [field: string]: ExtraField } = {
  tips: { default: null, kind: "strings" },
  timeout: { default: null, kind: "seconds" },
  retry_count: { default: 0, kind: "count" },
  current_retry: { default: 0, kind: "count" },
  expected_output_type: { default: null, kind: "string" },
  created_at: { default: null, kind: "timestamp" },
  updated_at: { default: null, kind: "timestamp" },
};

/** A dependency's extra fields, in `to_dict` order. @internal */
export const dependencyExtraFields: { readonly [field: string]: ExtraField } = {
  metadata: { default: {}, kind: "object" },
  last_evaluation_result: { default: null, kind: "any" },
  last_evaluation_time: { default: null, kind: "timestamp" },
  created_at: { default: null, kind: "timestamp" },
  updated_at: { default: null, kind: "timestamp" },
};

/** A constellation's extra fields, in `to_dict` order. @internal */
export const orionExtraFields: { readonly [field: string]: ExtraField } = {
  enable_visualization: { default: true, kind: "boolean" },
  created_at: { default: null, kind: "timestamp" },
  updated_at: { default: null, kind: "timestamp" },
  execution_start_time: { default: null, kind: "timestamp" },
  execution_end_time: { default: null, kind: "timestamp" },
  execution_duration: { default: null, kind: "seconds" },
};

/** Fields UFO derives from others; reading ignores them and writing computes them. @internal */
export const derivedTaskFields: ReadonlySet<string> = new Set([
  "execution_duration",
  "dependencies",
  "dependents",
]);

/** Derived dependency fields (see `derivedTaskFields`). @internal */
export const derivedDependencyFields: ReadonlySet<string> = new Set(["is_satisfied"]);
