import type { DependencyConditions } from "../dependencyType.js";
import type { Task, TaskOrion, Dependency } from "../types.js";
import { compareReadyTasks } from "./compareReadyTasks.js";
import { dependencyIndex, hasMemoisedIndex } from "./dependencyIndex.js";
import { isDependencySatisfied } from "../dependencyType.js";
import { isNotStarted } from "../taskStatus.js";
import { getOwn } from "../../internal/records.js";
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
  // An index nobody remembers was built for this call alone: one scan of its edges is cheaper
  // than grouping them all by source and by target.
  if (!hasMemoisedIndex(orion.dependencies))
    return scanReady(orion, index.list, taskId, conditions);
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

/** `readyDependents` by scanning the edges twice, for records that may change under us. */
function scanReady(
  orion: TaskOrion,
  list: readonly Dependency[],
  taskId: string,
  conditions: DependencyConditions | undefined,
): readonly Task[] {
  const targets = new Set<string>();
  for (const dependency of list)
    if (dependency.fromTaskId === taskId) targets.add(dependency.toTaskId);
  if (targets.size === 0) return [];
  const held = new Set<string>();
  for (const dependency of list) {
    const target = dependency.toTaskId;
    if (!targets.has(target) || held.has(target)) continue;
    const source = getOwn(orion.tasks, dependency.fromTaskId);
    if (!isDependencySatisfied(dependency, source, conditions)) held.add(target);
  }
  const ready: Task[] = [];
  for (const target of targets) {
    const task = getOwn(orion.tasks, target);
    if (task !== undefined && isNotStarted(task.status) && !held.has(target)) ready.push(task);
  }
  return ready.sort(compareReadyTasks);
}
