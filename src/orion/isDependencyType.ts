import type { DependencyType } from "./types.js";

/** Whether `value` is one of the four `DependencyType` strings (for data that came from outside). */
export function isDependencyType(value: unknown): value is DependencyType {
  return (
    value === "unconditional" ||
    value === "success_only" ||
    value === "completion_only" ||
    value === "conditional"
  );
}
