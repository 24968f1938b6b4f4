import type { DependencyConditions } from "../dependencyType.js";
import { isDependencySatisfied } from "../dependencyType.js";
import type { TaskOrion } from "../types.js";
import type { DependencyIndex } from "./dependencyIndex.js";
import { getOwn } from "../../internal/records.js";
import { isNotStarted } from "../taskStatus.js";

/**
 * Whether task `taskId` is ready in `orion` (as `getReadyTasks` would say), looking only at its
 * own incoming edges. `index` must be the index of `orion.dependencies`.
 * @internal
 */
export function isReadyIn(
  orion: TaskOrion,
  index: DependencyIndex,
  taskId: string,
  conditions: DependencyConditions | undefined,
): boolean {
  const task = getOwn(orion.tasks, taskId);
  if (task === undefined || !isNotStarted(task.status)) return false;
  for (const dependency of index.incoming().get(taskId) ?? []) {
    if (
      !isDependencySatisfied(dependency, getOwn(orion.tasks, dependency.fromTaskId), conditions)
    ) {
      return false;
    }
  }
  return true;
}
