/**
 * Naive reference implementations, written for clarity rather than speed, that the optimised
 * code is checked against in property tests.
 */
import type {
  Dependency,
  DependencyConditions,
  Task,
  TaskOrion,
} from "../../../src/orion/index.js";

const own = <T>(record: { readonly [key: string]: T }, key: string): T | undefined =>
  Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;

const notStarted = (task: Task): boolean =>
  task.status === "pending" || task.status === "waiting_dependency";
const terminal = (task: Task): boolean =>
  ["completed", "failed", "cancelled"].includes(task.status);

export function naiveSatisfied(
  orion: TaskOrion,
  dependency: Dependency,
  conditions: DependencyConditions = {},
): boolean {
  const source = own(orion.tasks, dependency.fromTaskId);
  if (source === undefined || !terminal(source)) return false;
  if (dependency.type === "unconditional" || dependency.type === "completion_only") return true;
  if (dependency.type === "success_only") return source.status === "completed";
  const predicate = own(conditions, dependency.id);
  return predicate ? predicate(source) : source.status === "completed";
}

export function naiveReadyIds(orion: TaskOrion, conditions: DependencyConditions = {}): string[] {
  const dependencies = Object.values(orion.dependencies);
  return Object.values(orion.tasks)
    .filter(
      (task) =>
        notStarted(task) &&
        dependencies
          .filter((d) => d.toTaskId === task.id)
          .every((d) => naiveSatisfied(orion, d, conditions)),
    )
    .sort(
      (a, b) => (b.priority ?? 2) - (a.priority ?? 2) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    )
    .map((task) => task.id);
}

/**
 * Blocked = not started and not able to run eventually, where "able to run" is the least fixed
 * point of: every incoming edge is satisfied now, or comes from a running task, or from a
 * not-started task that is itself able to run.
 */
export function naiveBlockedIds(orion: TaskOrion, conditions: DependencyConditions = {}): string[] {
  const dependencies = Object.values(orion.dependencies);
  const canRun = new Set<string>();
  for (let changed = true; changed;) {
    changed = false;
    for (const task of Object.values(orion.tasks)) {
      if (!notStarted(task) || canRun.has(task.id)) continue;
      const ok = dependencies
        .filter((d) => d.toTaskId === task.id)
        .every((d) => {
          const source = own(orion.tasks, d.fromTaskId);
          if (source === undefined) return false;
          if (source.status === "running") return true;
          if (notStarted(source)) return canRun.has(source.id);
          return naiveSatisfied(orion, d, conditions);
        });
      if (ok) {
        canRun.add(task.id);
        changed = true;
      }
    }
  }
  return Object.values(orion.tasks)
    .filter((task) => notStarted(task) && !canRun.has(task.id))
    .map((task) => task.id)
    .sort();
}
