import { compareReadyTasks } from "./internal/compareReadyTasks.js";
import {
  dependencyIndex,
  EDGE_COMPLETION_ONLY,
  EDGE_CONDITIONAL,
  EDGE_SUCCESS_ONLY,
  EDGE_UNCONDITIONAL,
} from "./internal/dependencyIndex.js";
import { getOwn, ownReader } from "./internal/getOwn.js";
import { isNotStarted } from "./internal/isNotStarted.js";
import { recordFacts, recordKeys } from "./internal/recordFacts.js";
import type { DependencyConditions } from "./isDependencySatisfied.js";
import type { Task, TaskOrion } from "./types.js";

/** Options of `getReadyTasks`, `getBlockedTasks` and the functions built on them. */
export interface ReadyTaskOptions {
  /** Predicates for `conditional` dependencies, by dependency id (default: `success_only`). */
  readonly conditions?: DependencyConditions;
}

// Status codes, one byte per task named by an edge.
const MISSING = 0;
const NOT_STARTED = 1;
const RUNNING = 2;
const COMPLETED = 3;
const FAILED = 4;
const CANCELLED = 5;
const UNKNOWN = 6;

function statusCode(task: Task | undefined): number {
  if (task === undefined) return MISSING;
  switch (task.status) {
    case "pending":
    case "waiting_dependency":
      return NOT_STARTED;
    case "running":
      return RUNNING;
    case "completed":
      return COMPLETED;
    case "failed":
      return FAILED;
    case "cancelled":
      return CANCELLED;
    default:
      return UNKNOWN;
  }
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
    status[i] = statusCode(task);
    if (task !== undefined) present++;
  }
  const held = new Uint8Array(endpoints.length);
  for (let e = 0; e < from.length; e++) {
    const target = to[e]!;
    if (status[target] !== NOT_STARTED || held[target] === 1) continue;
    const source = status[from[e]!]!;
    let satisfied: boolean;
    if (source !== COMPLETED && source !== FAILED && source !== CANCELLED) {
      satisfied = false;
    } else {
      switch (type[e]) {
        case EDGE_UNCONDITIONAL:
        case EDGE_COMPLETION_ONLY:
          satisfied = true;
          break;
        case EDGE_SUCCESS_ONLY:
          satisfied = source === COMPLETED;
          break;
        case EDGE_CONDITIONAL: {
          const id = index.list[e]!.id;
          const predicate = conditions === undefined ? undefined : getOwn(conditions, id);
          satisfied =
            predicate === undefined ? source === COMPLETED : predicate(endpointTasks[from[e]!]!);
          break;
        }
        default:
          satisfied = false;
      }
    }
    if (!satisfied) held[target] = 1;
  }
  const ready: Task[] = [];
  const facts = recordFacts(tasks);
  if (present === (facts.keyCount ?? recordKeys(tasks).length)) {
    // Every task is named by some edge (the usual DAG): no need to walk the task record.
    for (let i = 0; i < endpoints.length; i++) {
      if (status[i] === NOT_STARTED && held[i] === 0) ready.push(endpointTasks[i]!);
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
