import { getOwn } from "./internal/getOwn.js";
import type { Dependency, Task } from "./types.js";

/**
 * Caller-supplied predicates for `conditional` dependencies, by dependency id. Each is asked
 * once its dependency's source task is terminal; a `conditional` dependency with no predicate
 * here is treated as `success_only`.
 */
export interface DependencyConditions {
  readonly [dependencyId: string]: (source: Task) => boolean;
}

/**
 * Whether `dependency` no longer holds its target back. Nothing is satisfied until the source
 * task is terminal (and a missing source never is); then:
 * - `unconditional`, `completion_only`: any terminal outcome (completed, failed or cancelled);
 * - `success_only`: only `completed`. (UFO's Python checks that the source's outcome "is not
 *   None"; a failed task's error object is not None, so there a failed source satisfies
 *   `success_only`. We deliberately do not copy that bug.)
 * - `conditional`: `conditions[dependency.id](source)`, or `success_only` without a predicate.
 */
export function isDependencySatisfied(
  dependency: Dependency,
  source: Task | undefined,
  conditions?: DependencyConditions,
): boolean {
  if (source === undefined) return false;
  const status = source.status;
  if (status !== "completed" && status !== "failed" && status !== "cancelled") return false;
  switch (dependency.type) {
    case "unconditional":
    case "completion_only":
      return true;
    case "success_only":
      return status === "completed";
    case "conditional": {
      const predicate = conditions === undefined ? undefined : getOwn(conditions, dependency.id);
      return predicate === undefined ? status === "completed" : predicate(source);
    }
    default:
      return false; // an unknown type (unvalidated data) never lets its target run
  }
}
