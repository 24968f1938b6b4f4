import { createRecord } from "./internal/createRecord.js";
import { freezeNewRecord } from "./internal/recordFacts.js";
import { deriveOrionState } from "./orionState.js";
import type {
  Dependency,
  DependencyType,
  JsonValue,
  OrionState,
  Task,
  TaskOrion,
} from "./types.js";

/** A task for `OrionBuilder.task`: any task field but `id`, plus the tasks it runs after. */
export interface TaskSpec extends Partial<Omit<Task, "id">> {
  /** Tasks this one depends on: one edge from each, with id `"<from>-><to>"`. */
  readonly after?: string | readonly string[];
  /** The type of the `after` edges (default `success_only`, UFO's most common edge). */
  readonly dependencyType?: DependencyType;
}

/** A dependency for `OrionBuilder.dependency`: any dependency field but its ends. */
export type DependencySpec = Partial<Omit<Dependency, "fromTaskId" | "toTaskId">>;

/**
 * An immutable builder: every call returns a new builder and leaves this one as it was, so a
 * partly built orion can be shared between tests. Build costs O(tasks + dependencies).
 */
export interface OrionBuilder {
  /** Adds (or replaces) task `id`; its name defaults to `id`, status to `pending`, params to `{}`. */
  task(id: string, spec?: TaskSpec): OrionBuilder;
  /** Adds (or replaces) an edge `from` → `to`; its id defaults to `"<from>-><to>"`. */
  dependency(from: string, to: string, spec?: DependencySpec): OrionBuilder;
  /**
   * The orion. Its state is `deriveOrionState`'s unless given to `orion()`. Nothing is validated,
   * so invalid orions (cycles, dangling edges) can be built on purpose; see `validateOrion`.
   */
  build(): TaskOrion;
}

/** Options of `orion()`: the orion's own fields. */
export interface OrionSpec {
  /** The orion's display name. */
  readonly name?: string;
  /** Overrides the derived state. */
  readonly state?: OrionState;
  /** Free-form data about the orion. */
  readonly metadata?: { readonly [key: string]: JsonValue };
}

type Step =
  | { readonly kind: "task"; readonly task: Task }
  | { readonly kind: "dependency"; readonly dependency: Dependency };

interface Steps {
  readonly step: Step;
  readonly previous: Steps | undefined;
}

/**
 * Starts an orion, for tests and examples:
 *
 * ```ts
 * const o = orion("o1")
 *   .task("fetch", { priority: 3 })
 *   .task("parse", { after: "fetch" })
 *   .task("report", { after: ["fetch", "parse"], dependencyType: "completion_only" })
 *   .build();
 * ```
 *
 * Records are null-prototype objects, so any string, `__proto__` included, is a safe id. The
 * task and dependency records and the dependencies are frozen (the tasks are not), so indexes
 * over them are built once; edit a built orion with immer, not in place.
 */
export function orion(id: string, spec: OrionSpec = {}): OrionBuilder {
  return builder(id, spec, undefined);
}

function builder(id: string, spec: OrionSpec, steps: Steps | undefined): OrionBuilder {
  const push = (step: Step): OrionBuilder => builder(id, spec, { step, previous: steps });
  return {
    task(taskId, taskSpec = {}) {
      const { after, dependencyType, ...fields } = taskSpec;
      let next = push({
        kind: "task",
        task: { name: taskId, status: "pending", params: {}, ...fields, id: taskId },
      });
      for (const from of typeof after === "string" ? [after] : (after ?? [])) {
        next = next.dependency(from, taskId, dependencyType ? { type: dependencyType } : {});
      }
      return next;
    },
    dependency(from, to, dependencySpec = {}) {
      return push({
        kind: "dependency",
        dependency: Object.freeze({
          id: `${from}->${to}`,
          type: "success_only" as const,
          ...dependencySpec,
          fromTaskId: from,
          toTaskId: to,
        }),
      });
    },
    build() {
      const ordered: Step[] = [];
      for (let s = steps; s !== undefined; s = s.previous) ordered.push(s.step);
      ordered.reverse();
      const tasks = createRecord<Task>();
      const dependencies = createRecord<Dependency>();
      for (const step of ordered) {
        if (step.kind === "task") tasks[step.task.id] = step.task;
        else dependencies[step.dependency.id] = step.dependency;
      }
      const { state, ...rest } = spec;
      // The records and edges are new objects nobody else holds: frozen, they can be indexed
      // once and for all (task objects stay unfrozen: their fields may be the caller's).
      return {
        id,
        ...rest,
        state: state ?? deriveOrionState({ tasks }),
        tasks: freezeNewRecord(tasks),
        dependencies: freezeNewRecord(dependencies),
      };
    },
  };
}
