import { getOwn } from "../internal/records.js";
import { isNotStarted } from "./taskStatus.js";
import { isDependencySatisfied } from "./dependencyType.js";
import type { ReadyTaskOptions } from "./getReadyTasks.js";
import type { Dependency, Task, TaskOrion } from "./types.js";
import { buildAdjacency } from "./internal/buildAdjacency.js";
import { kahnOrder } from "./internal/kahnOrder.js";

/**
 * Why a task can never run:
 * - `unsatisfiable`: the dependency's source is terminal and the dependency is not satisfied
 *   (e.g. `success_only` on a failed task, or a condition that said no);
 * - `missing_source`: the dependency names a task the orion does not have;
 * - `upstream_blocked`: the source is itself blocked, so it will never finish;
 * - `cycle`: the task is on, or waits on, a cycle of tasks that have not started.
 */
export type BlockReason = "unsatisfiable" | "missing_source" | "upstream_blocked" | "cycle";

/** A task that can never run as the orion stands, with the first dependency found to hold it. */
export interface BlockedTask {
  /** The task that can never become ready. */
  readonly task: Task;
  /** The dependency that can no longer be satisfied (the first one found). */
  readonly dependencyId: string;
  /** Why it cannot. */
  readonly reason: BlockReason;
}

/**
 * The not-started tasks that can never become ready as the orion stands, so an orchestrator can
 * finish (or ask the agent for a new plan) instead of waiting forever. A task that waits on a
 * running task is not blocked: that task may still succeed. Blocked tasks are assumed to stay
 * pending; cancelling one can unblock dependents through `unconditional` or `completion_only`
 * edges, so ask again after changing the orion. Sorted by task id. O(tasks + dependencies).
 */
export function getBlockedTasks(
  orion: TaskOrion,
  options?: ReadyTaskOptions,
): readonly BlockedTask[] {
  const tasks = orion.tasks;
  const conditions = options?.conditions;
  const blocked = new Map<string, { dependencyId: string; reason: BlockReason }>();
  // Edges between two not-started tasks, by source and by target; for the cycle check, the
  // same edges over numbered tasks.
  const outgoing = new Map<string, Dependency[]>();
  const incoming = new Map<string, Dependency[]>();
  const numbered = new Map<string, number>();
  const number = (taskId: string): number => {
    let n = numbered.get(taskId);
    if (n === undefined) numbered.set(taskId, (n = numbered.size));
    return n;
  };
  const edgeFrom: number[] = [];
  const edgeTo: number[] = [];
  const block = (taskId: string, dependencyId: string, reason: BlockReason): void => {
    if (!blocked.has(taskId)) blocked.set(taskId, { dependencyId, reason });
  };

  for (const dependency of Object.values(orion.dependencies)) {
    const target = getOwn(tasks, dependency.toTaskId);
    if (target === undefined || !isNotStarted(target.status)) continue;
    const source = getOwn(tasks, dependency.fromTaskId);
    if (source === undefined) {
      block(dependency.toTaskId, dependency.id, "missing_source");
    } else if (isNotStarted(source.status)) {
      append(outgoing, dependency.fromTaskId, dependency);
      append(incoming, dependency.toTaskId, dependency);
      edgeFrom.push(number(dependency.fromTaskId));
      edgeTo.push(number(dependency.toTaskId));
    } else if (
      source.status !== "running" &&
      !isDependencySatisfied(dependency, source, conditions)
    ) {
      block(dependency.toTaskId, dependency.id, "unsatisfiable");
    }
  }

  // Whatever waits on a blocked task is blocked too.
  const queue = [...blocked.keys()];
  for (let head = 0; head < queue.length; head++) {
    for (const dependency of outgoing.get(queue[head]!) ?? []) {
      if (!blocked.has(dependency.toTaskId)) {
        block(dependency.toTaskId, dependency.id, "upstream_blocked");
        queue.push(dependency.toTaskId);
      }
    }
  }

  // Kahn's algorithm over the not-started tasks: those it cannot order wait on a cycle.
  const from = Int32Array.from(edgeFrom);
  const to = Int32Array.from(edgeTo);
  const { done } = kahnOrder(
    numbered.size,
    to,
    to.length,
    buildAdjacency(numbered.size, from, from.length),
  );
  const onCycle = (taskId: string): boolean => done[numbered.get(taskId) ?? -1] === 0;
  for (const [taskId] of numbered) {
    if (onCycle(taskId) && !blocked.has(taskId)) {
      // Some edge in comes from a task Kahn's algorithm never ordered either.
      const dependency = incoming.get(taskId)!.find((d) => onCycle(d.fromTaskId));
      block(taskId, dependency!.id, "cycle");
    }
  }

  const result: BlockedTask[] = [];
  for (const [taskId, { dependencyId, reason }] of blocked) {
    result.push({ task: tasks[taskId]!, dependencyId, reason });
  }
  return result.sort((a, b) => (a.task.id < b.task.id ? -1 : a.task.id > b.task.id ? 1 : 0));
}

function append(map: Map<string, Dependency[]>, key: string, dependency: Dependency): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [dependency]);
  else list.push(dependency);
}
