import { compareReadyTasks } from "./internal/compareReadyTasks.js";
import { conditionSays, type DependencyConditions, satisfiedByCode } from "./dependencyType.js";
import { dependencyIndex } from "./internal/dependencyIndex.js";
import { ownReader } from "../internal/records.js";
import { recordFacts, recordKeys } from "./internal/recordFacts.js";
import { isNotStarted, STATUS, statusCode } from "./taskStatus.js";
import type { Task, TaskOrion } from "./types.js";

/** Options of `getReadyTasks`, `getBlockedTasks` and the functions built on them. */
export interface ReadyTaskOptions {
  /** Predicates for `conditional` dependencies, by dependency id (default: `success_only`). */
  readonly conditions?: DependencyConditions;
}

/**
 * The tasks that may start now: not started (`pending` or `waiting_dependency`) and with every
 * incoming dependency satisfied (see `isDependencySatisfied`). Sorted by priority, highest first,
 * then by id, so runs are deterministic.
 *
 * O(tasks + dependencies), plus sorting the ready tasks themselves: one lookup per task named by
 * an edge, then one pass over the edges as typed arrays, then one pass over the tasks. The edge
 * arrays and the task keys are memoised per record object when it cannot change (frozen, not
 * an immer draft); a draft or a record edited in place is read afresh on every call.
 */
export function getReadyTasks(orion: TaskOrion, options?: ReadyTaskOptions): readonly Task[] {
  const { tasks } = orion;
  const conditions = options?.conditions;
  const index = dependencyIndex(orion.dependencies);
  const { endpoints, endpointIndex, from, to, type } = index.compiled();
  const read = ownReader(tasks);
  const status = new Uint8Array(endpoints.length);
  const endpointTasks: (Task | undefined)[] = new Array<Task | undefined>(endpoints.length);
  let present = 0;
  for (let i = 0; i < endpoints.length; i++) {
    const task = read(endpoints[i]!);
    endpointTasks[i] = task;
    status[i] = task === undefined ? STATUS.missing : statusCode(task.status);
    if (task !== undefined) present++;
  }
  const held = new Uint8Array(endpoints.length);
  for (let e = 0; e < from.length; e++) {
    const target = to[e]!;
    if (status[target] !== STATUS.notStarted || held[target] === 1) continue;
    const source = from[e]!;
    const satisfied =
      satisfiedByCode(type[e]!, status[source]!) ??
      conditionSays(conditions, index.list[e]!.id, status[source]!, endpointTasks[source]!);
    if (!satisfied) held[target] = 1;
  }
  const ready: Task[] = [];
  const facts = recordFacts(tasks);
  if (present === (facts.keyCount ?? recordKeys(tasks).length)) {
    // Every task is named by some edge (the usual DAG): no need to walk the task record.
    for (let i = 0; i < endpoints.length; i++) {
      if (status[i] === STATUS.notStarted && held[i] === 0) ready.push(endpointTasks[i]!);
    }
    return ready.sort(compareReadyTasks);
  }
  for (const key of recordKeys(tasks)) {
    const task = tasks[key]!;
    if (!isNotStarted(task.status)) continue;
    const i = endpointIndex.get(key);
    if (i === undefined || held[i] === 0) ready.push(task);
  }
  return ready.sort(compareReadyTasks);
}
