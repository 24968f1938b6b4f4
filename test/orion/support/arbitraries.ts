import fc from "fast-check";
import {
  dependencyTypes,
  deriveOrionState,
  taskStatuses,
  type Dependency,
  type DependencyConditions,
  type JsonValue,
  type Task,
  type TaskOrion,
  type TaskStatus,
} from "../../../src/orion/index.js";

/** Task ids for generated orions: ordinary ones and the ones that break naive records. */
export const TASK_IDS = [
  "a",
  "b",
  "c",
  "d",
  "e",
  "f",
  "g",
  "h",
  "__proto__",
  "constructor",
  "toString",
  "x y",
];

/** A task with an execution record that fits its status (start/end times, result, error). */
export function taskWith(
  id: string,
  status: TaskStatus,
  seed: number,
  params: { [key: string]: JsonValue } = {},
): Task {
  return {
    id,
    name: `Task ${id}`,
    status,
    priority: 1 + (seed % 4),
    params,
    ...(status === "pending" || status === "waiting_dependency"
      ? {}
      : { executionStartTime: 100 + seed }),
    ...(status === "completed" ? { result: { seed }, executionEndTime: 200 + seed } : {}),
    ...(status === "failed"
      ? { error: { message: `boom ${seed}` }, executionEndTime: 200 + seed }
      : {}),
    ...(status === "cancelled" ? { executionEndTime: 200 + seed } : {}),
  };
}

function record<T>(entries: readonly (readonly [string, T])[]): { [key: string]: T } {
  const out = Object.create(null) as { [key: string]: T };
  for (const [key, value] of entries) out[key] = value;
  return out;
}

/** Builds an orion from tasks and edges, keyed by id, with a derived state. */
export function makeOrion(
  id: string,
  tasks: readonly Task[],
  dependencies: readonly Dependency[],
): TaskOrion {
  const taskRecord = record(tasks.map((t) => [t.id, t] as const));
  return {
    id,
    state: deriveOrionState({ tasks: taskRecord }),
    tasks: taskRecord,
    dependencies: record(dependencies.map((d) => [d.id, d] as const)),
  };
}

/** A random DAG (edges only go from earlier to later tasks) with random statuses and edge types. */
export interface GeneratedOrion {
  readonly orion: TaskOrion;
  readonly conditions: DependencyConditions;
}

export function dagArbitrary(maxTasks = 9): fc.Arbitrary<GeneratedOrion> {
  return fc
    .record({
      ids: fc.shuffledSubarray(TASK_IDS, { minLength: 0, maxLength: maxTasks }),
      statuses: fc.array(fc.constantFrom(...taskStatuses), {
        minLength: maxTasks,
        maxLength: maxTasks,
      }),
      edges: fc.array(
        fc.record({
          from: fc.nat({ max: maxTasks - 1 }),
          to: fc.nat({ max: maxTasks - 1 }),
          type: fc.constantFrom(...dependencyTypes),
          predicate: fc.constantFrom<"none" | "yes" | "no" | "succeeded">(
            "none",
            "yes",
            "no",
            "succeeded",
          ),
        }),
        { maxLength: maxTasks * 2 },
      ),
    })
    .map(({ ids, statuses, edges }) => {
      const tasks = ids.map((id, i) => taskWith(id, statuses[i]!, i));
      const dependencies: Dependency[] = [];
      const conditions: { [id: string]: (source: Task) => boolean } = Object.create(null);
      const seen = new Set<string>();
      for (const edge of edges) {
        const from = Math.min(edge.from, edge.to);
        const to = Math.max(edge.from, edge.to);
        if (from === to || to >= ids.length) continue;
        const id = `${ids[from]}->${ids[to]}`;
        if (seen.has(id)) continue;
        seen.add(id);
        dependencies.push({ id, fromTaskId: ids[from]!, toTaskId: ids[to]!, type: edge.type });
        if (edge.type === "conditional" && edge.predicate !== "none") {
          conditions[id] =
            edge.predicate === "yes"
              ? () => true
              : edge.predicate === "no"
                ? () => false
                : (source) => source.status !== "failed";
        }
      }
      return { orion: makeOrion("generated", tasks, dependencies), conditions };
    });
}
