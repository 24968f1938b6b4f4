import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  orion,
  validateOrion,
  type Dependency,
  type OrionIssue,
  type Task,
  type TaskOrion,
} from "../../src/orion/index.js";
import { dagArbitrary } from "./support/arbitraries.js";

const errorsOf = (o: TaskOrion): readonly OrionIssue[] => {
  const result = validateOrion(o);
  return result.ok ? [] : result.errors;
};
const withoutMessages = (issues: readonly OrionIssue[]) =>
  issues.map(({ message: _message, ...rest }) => rest);

describe("validateOrion", () => {
  it("accepts a well-formed DAG and an empty orion", () => {
    expect(validateOrion(orion("o").task("a").task("b", { after: "a" }).build())).toEqual({
      ok: true,
    });
    expect(validateOrion(orion("o").build())).toEqual({ ok: true });
  });

  it("reports a cycle with its path, starting at its smallest id", () => {
    const o = orion("o")
      .task("c", { after: "b" })
      .task("b", { after: "a" })
      .task("a", { after: "c" })
      .task("d", { after: "a" })
      .build();
    const errors = errorsOf(o);
    expect(withoutMessages(errors)).toEqual([{ kind: "cycle", path: ["a", "b", "c", "a"] }]);
    expect(errors[0]!.message).toBe("dependency cycle a -> b -> c -> a");
  });

  it("reports disjoint cycles separately", () => {
    const o = orion("o")
      .task("a", { after: "b" })
      .task("b", { after: "a" })
      .task("x", { after: "y" })
      .task("y", { after: "x" })
      .build();
    expect(withoutMessages(errorsOf(o))).toEqual([
      { kind: "cycle", path: ["a", "b", "a"] },
      { kind: "cycle", path: ["x", "y", "x"] },
    ]);
  });

  it("reports a self-dependency (and not also as a cycle)", () => {
    const o = orion("o").task("a", { after: "a" }).build();
    expect(withoutMessages(errorsOf(o))).toEqual([
      { kind: "self_dependency", dependencyId: "a->a", taskId: "a" },
    ]);
  });

  it("reports each missing end of a dependency (the UFO fixtures' problem)", () => {
    const o = orion("o")
      .task("a")
      .dependency("task_001", "task_002")
      .dependency("a", "task_003")
      .build();
    expect(withoutMessages(errorsOf(o))).toEqual([
      { kind: "missing_task", dependencyId: "task_001->task_002", taskId: "task_001", end: "from" },
      { kind: "missing_task", dependencyId: "task_001->task_002", taskId: "task_002", end: "to" },
      { kind: "missing_task", dependencyId: "a->task_003", taskId: "task_003", end: "to" },
    ]);
    expect(errorsOf(o)[0]!.message).toBe(
      'dependency "task_001->task_002" names missing source task "task_001"',
    );
  });

  it("reports keys that differ from ids, for tasks and dependencies", () => {
    const task = (id: string): Task => ({ id, name: id, status: "pending", params: {} });
    const o: TaskOrion = {
      id: "o",
      state: "ready",
      tasks: { alias: task("real"), b: task("b") },
      dependencies: {
        other: { id: "d1", fromTaskId: "alias", toTaskId: "b", type: "unconditional" },
      },
    };
    expect(withoutMessages(errorsOf(o))).toEqual([
      { kind: "key_mismatch", collection: "tasks", key: "alias", id: "real" },
      { kind: "key_mismatch", collection: "dependencies", key: "other", id: "d1" },
    ]);
    expect(errorsOf(o)[0]!.message).toBe('task "real" is stored under key "alias"');
  });

  it("reports duplicate edges, naming the first", () => {
    const o = orion("o")
      .task("a")
      .task("b", { after: "a" })
      .dependency("a", "b", { id: "again", type: "unconditional" })
      .build();
    expect(withoutMessages(errorsOf(o))).toEqual([
      {
        kind: "duplicate_dependency",
        dependencyId: "again",
        duplicateOf: "a->b",
        fromTaskId: "a",
        toTaskId: "b",
      },
    ]);
  });

  it("reports unknown statuses and dependency types", () => {
    const o = orion("o")
      .task("a", { status: "done" as Task["status"] })
      .task("b")
      .dependency("a", "b", { type: "sometimes" as Dependency["type"] })
      .build();
    expect(withoutMessages(errorsOf(o))).toEqual([
      { kind: "unknown_status", taskId: "a", status: "done" },
      { kind: "unknown_dependency_type", dependencyId: "a->b", type: "sometimes" },
    ]);
  });

  it("accepts random DAGs, and finds a cycle once one back edge is added", () => {
    fc.assert(
      fc.property(dagArbitrary(), ({ orion: o }) => {
        expect(validateOrion(o)).toEqual({ ok: true });
        const edge = Object.values(o.dependencies)[0];
        if (edge === undefined) return;
        const back: Dependency = {
          id: "back",
          fromTaskId: edge.toTaskId,
          toTaskId: edge.fromTaskId,
          type: "unconditional",
        };
        const cyclic = { ...o, dependencies: { ...o.dependencies, back } };
        const cycles = errorsOf(cyclic).filter((e) => e.kind === "cycle");
        expect(cycles).toHaveLength(1);
        const path = (cycles[0] as { readonly path: readonly string[] }).path;
        expect(path[0]).toBe(path[path.length - 1]);
        // Every step of the reported path is an edge of the orion.
        const edges = new Set(
          Object.values(cyclic.dependencies).map((d) => `${d.fromTaskId}\u0000${d.toTaskId}`),
        );
        for (let i = 0; i + 1 < path.length; i++)
          expect(edges.has(`${path[i]}\u0000${path[i + 1]}`)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("returns a fresh, unfrozen result for each valid orion (a caller may annotate its own)", () => {
    const first = validateOrion(orion("a").task("x").build());
    const second = validateOrion(orion("b").task("y").build());
    expect(first).toEqual({ ok: true });
    expect(first).not.toBe(second);
    expect(Object.isFrozen(first)).toBe(false);
  });
});
