import { buildAdjacency } from "./internal/buildAdjacency.js";
import { findCycles } from "./internal/findCycles.js";
import { kahnOrder } from "./internal/kahnOrder.js";
import { isDependencyType } from "./dependencyType.js";
import { isTaskStatus } from "./taskStatus.js";
import type { Dependency, Task, TaskOrion } from "./types.js";
import { recordKeys } from "./internal/recordFacts.js";

/**
 * One problem `validateOrion` found. Every kind names the records involved, and `message` says
 * the same in words.
 */
export type OrionIssue =
  | {
      /** The dependencies form a cycle (self-dependencies are reported on their own). */
      readonly kind: "cycle";
      /** Task ids in edge direction, from the smallest id, repeated at the end. */
      readonly path: readonly string[];
      /** The issue in one sentence, naming the ids involved. */
      readonly message: string;
    }
  | {
      /** A dependency whose source and target are the same task. */
      readonly kind: "self_dependency";
      /** The dependency. */
      readonly dependencyId: string;
      /** The task at both its ends. */
      readonly taskId: string;
      /** The issue in one sentence, naming the ids involved. */
      readonly message: string;
    }
  | {
      /** A dependency naming a task the orion does not have. */
      readonly kind: "missing_task";
      /** The dependency. */
      readonly dependencyId: string;
      /** The task id it names that the orion does not have. */
      readonly taskId: string;
      /** Which end of the dependency is missing. */
      readonly end: "from" | "to";
      /** The issue in one sentence, naming the ids involved. */
      readonly message: string;
    }
  | {
      /** A task or dependency stored under a key other than its own id. */
      readonly kind: "key_mismatch";
      /** Where it is stored. */
      readonly collection: "tasks" | "dependencies";
      /** The key it is stored under. */
      readonly key: string;
      /** Its own id. */
      readonly id: string;
      /** The issue in one sentence, naming the ids involved. */
      readonly message: string;
    }
  | {
      /** A second dependency between the same two tasks, in the same direction. */
      readonly kind: "duplicate_dependency";
      /** The later dependency. */
      readonly dependencyId: string;
      /** The earlier dependency (in `orion.dependencies` order) it duplicates. */
      readonly duplicateOf: string;
      /** The task both wait for. */
      readonly fromTaskId: string;
      /** The task that waits. */
      readonly toTaskId: string;
      /** The issue in one sentence, naming the ids involved. */
      readonly message: string;
    }
  | {
      /** A task whose status is not a `TaskStatus`. */
      readonly kind: "unknown_status";
      /** The task. */
      readonly taskId: string;
      /** The status found. */
      readonly status: string;
      /** The issue in one sentence, naming the ids involved. */
      readonly message: string;
    }
  | {
      /** A dependency whose type is not a `DependencyType`. */
      readonly kind: "unknown_dependency_type";
      /** The dependency. */
      readonly dependencyId: string;
      /** The type found. */
      readonly type: string;
      /** The issue in one sentence, naming the ids involved. */
      readonly message: string;
    };

/** The verdict of `validateOrion`. */
export type OrionValidation =
  | {
      /** The orion is a well-formed DAG. */
      readonly ok: true;
    }
  | {
      /** The orion has problems. */
      readonly ok: false;
      /** Every problem found (never empty). */
      readonly errors: readonly OrionIssue[];
    };

const q = JSON.stringify;

/**
 * Checks that an orion is a well-formed DAG and reports every problem: tasks and dependencies
 * stored under another key than their id, unknown statuses and dependency types,
 * self-dependencies, dependencies naming missing tasks, duplicate edges, and cycles (each with
 * its path; disjoint cycles are reported separately). Issues come task by task, then dependency
 * by dependency, then duplicates, then cycles. O(tasks + dependencies), on typed arrays rather
 * than per-task objects.
 */
export function validateOrion(orion: TaskOrion): OrionValidation {
  return validateAndOrder(orion).validation;
}

/**
 * A valid orion as `validateAndOrder` read it, by index: what a run loads without reading the
 * large records again (each read of one is a hash lookup) or looking up an edge's ends by id.
 * @internal
 */
export interface IndexedOrion {
  /** The task ids, in the record's order. */
  readonly keys: readonly string[];
  /** `tasks[i]` is the task stored under `keys[i]`. */
  readonly tasks: readonly Task[];
  /** Every dependency, in the record's order; `dependencies[e]` goes from task index `from[e]` to `to[e]`. */
  readonly dependencies: readonly Dependency[];
  readonly from: Int32Array;
  readonly to: Int32Array;
  /** Task indices in `topologicalOrder`. */
  readonly order: Int32Array;
}

/**
 * `validateOrion`, and for a valid orion also what it read, indexed, with its
 * `topologicalOrder` from the same Kahn walk: a run needs all of it, and one pass is most of
 * the cost of each.
 * @internal
 */
export function validateAndOrder(orion: TaskOrion):
  | { readonly validation: { readonly ok: true }; readonly indexed: IndexedOrion }
  | {
      readonly validation: { readonly ok: false; readonly errors: readonly OrionIssue[] };
      readonly indexed?: undefined;
    } {
  const errors: OrionIssue[] = [];
  const { tasks, dependencies } = orion;
  const keys = recordKeys(tasks);
  const index = new Map<string, number>();
  const taskList: Task[] = [];
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const task = tasks[key]!;
    index.set(key, i);
    taskList.push(task);
    if (task.id !== key) {
      errors.push({
        kind: "key_mismatch",
        collection: "tasks",
        key,
        id: task.id,
        message: `task ${q(task.id)} is stored under key ${q(key)}`,
      });
    }
    if (!isTaskStatus(task.status)) {
      errors.push({
        kind: "unknown_status",
        taskId: key,
        status: String(task.status),
        message: `task ${q(key)} has unknown status ${q(String(task.status))}`,
      });
    }
  }

  const dependencyKeys = Object.keys(dependencies);
  const from = new Int32Array(dependencyKeys.length);
  const to = new Int32Array(dependencyKeys.length);
  const edgeKeys: string[] = [];
  const edgeList: Dependency[] = [];
  for (const key of dependencyKeys) {
    const dependency = dependencies[key]!;
    const { fromTaskId, toTaskId } = dependency;
    if (dependency.id !== key) {
      errors.push({
        kind: "key_mismatch",
        collection: "dependencies",
        key,
        id: dependency.id,
        message: `dependency ${q(dependency.id)} is stored under key ${q(key)}`,
      });
    }
    if (!isDependencyType(dependency.type)) {
      errors.push({
        kind: "unknown_dependency_type",
        dependencyId: key,
        type: String(dependency.type),
        message: `dependency ${q(key)} has unknown type ${q(String(dependency.type))}`,
      });
    }
    if (fromTaskId === toTaskId) {
      errors.push({
        kind: "self_dependency",
        dependencyId: key,
        taskId: fromTaskId,
        message: `dependency ${q(key)} makes task ${q(fromTaskId)} depend on itself`,
      });
    }
    const f = index.get(fromTaskId);
    const t = index.get(toTaskId);
    if (f === undefined) errors.push(missing(key, fromTaskId, "from"));
    if (t === undefined && toTaskId !== fromTaskId) errors.push(missing(key, toTaskId, "to"));
    if (f === undefined || t === undefined || f === t) continue;
    from[edgeKeys.length] = f;
    to[edgeKeys.length] = t;
    edgeKeys.push(key);
    edgeList.push(dependency);
  }

  const edgeCount = edgeKeys.length;
  const outgoing = buildAdjacency(keys.length, from, edgeCount);
  // Duplicates: within each task's outgoing list, a target seen before (stamped with the task).
  const stampedBy = new Int32Array(keys.length).fill(-1);
  const firstEdge = new Int32Array(keys.length);
  for (let v = 0; v < keys.length; v++) {
    for (let i = outgoing.start[v]!, end = outgoing.start[v + 1]!; i < end; i++) {
      const e = outgoing.edges[i]!;
      const w = to[e]!;
      if (stampedBy[w] !== v) {
        stampedBy[w] = v;
        firstEdge[w] = e;
        continue;
      }
      const dependencyId = edgeKeys[e]!;
      const duplicateOf = edgeKeys[firstEdge[w]!]!;
      errors.push({
        kind: "duplicate_dependency",
        dependencyId,
        duplicateOf,
        fromTaskId: keys[v]!,
        toTaskId: keys[w]!,
        message: `dependency ${q(dependencyId)} duplicates ${q(duplicateOf)} (${q(keys[v]!)} -> ${q(keys[w]!)})`,
      });
    }
  }

  const { order, length, done } = kahnOrder(keys.length, to, edgeCount, outgoing);
  if (length < keys.length) {
    for (const path of findCycles(keys, from, to, edgeCount, done)) {
      errors.push({ kind: "cycle", path, message: `dependency cycle ${path.join(" -> ")}` });
    }
  }
  if (errors.length > 0) return { validation: { ok: false, errors } };
  // Valid: every dependency named two tasks, so the edge arrays hold them all, in order.
  return {
    validation: { ok: true },
    indexed: { keys, tasks: taskList, dependencies: edgeList, from, to, order },
  };
}

function missing(dependencyId: string, taskId: string, end: "from" | "to"): OrionIssue {
  return {
    kind: "missing_task",
    dependencyId,
    taskId,
    end,
    message: `dependency ${q(dependencyId)} names missing ${end === "from" ? "source" : "target"} task ${q(taskId)}`,
  };
}
