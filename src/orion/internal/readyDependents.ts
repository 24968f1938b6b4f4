import type { DependencyConditions } from "../isDependencySatisfied.js";
import type { Task, TaskOrion } from "../types.js";
import { compareReadyTasks } from "./compareReadyTasks.js";
import { dependencyIndex } from "./dependencyIndex.js";
import { getOwn } from "./getOwn.js";
import { isReadyIn } from "./isReadyIn.js";

/**
 * The tasks that depend on `taskId` and are ready in `orion`: after `taskId` has just become
 * terminal, exactly the tasks that became ready (they were held back by `taskId` before).
 * O(edges around `taskId`'s dependents) once the dependencies are indexed. Sorted like
 * `getReadyTasks`.
 * @internal
 */
export function readyDependents(
  orion: TaskOrion,
  taskId: string,
  conditions: DependencyConditions | undefined,
): readonly Task[] {
  const index = dependencyIndex(orion.dependencies);
  const ready: Task[] = [];
  const seen = new Set<string>();
  for (const dependency of index.outgoing().get(taskId) ?? []) {
    const targetId = dependency.toTaskId;
    if (seen.has(targetId)) continue;
    seen.add(targetId);
    if (isReadyIn(orion, index, targetId, conditions)) ready.push(getOwn(orion.tasks, targetId)!);
  }
  return ready.sort(compareReadyTasks);
}
