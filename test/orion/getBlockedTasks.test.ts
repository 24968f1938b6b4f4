import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cancelTask, getBlockedTasks, getReadyTasks, orion } from "../../src/orion/index.js";
import { dagArbitrary } from "./support/arbitraries.js";
import { naiveBlockedIds } from "./support/reference.js";

const summary = (
  o: Parameters<typeof getBlockedTasks>[0],
  options?: Parameters<typeof getBlockedTasks>[1],
) =>
  getBlockedTasks(o, options).map(({ task, dependencyId, reason }) => [
    task.id,
    dependencyId,
    reason,
  ]);

describe("getBlockedTasks", () => {
  it("is empty while everything can still run", () => {
    const o = orion("o")
      .task("a", { status: "running" })
      .task("b", { after: "a" })
      .task("c", { after: "b" })
      .build();
    expect(getBlockedTasks(o)).toEqual([]);
  });

  it("reports a task whose terminal source cannot satisfy its dependency, and everything after it", () => {
    const o = orion("o")
      .task("a", { status: "failed", error: "x" })
      .task("b", { after: "a", dependencyType: "success_only" })
      .task("c", { after: "b", dependencyType: "unconditional" })
      .task("d", { after: "a", dependencyType: "completion_only" })
      .build();
    expect(summary(o)).toEqual([
      ["b", "a->b", "unsatisfiable"],
      ["c", "b->c", "upstream_blocked"],
    ]);
    expect(getReadyTasks(o).map((t) => t.id)).toEqual(["d"]);
  });

  it("reports a conditional dependency whose predicate said no", () => {
    const o = orion("o")
      .task("a", { status: "completed" })
      .task("b", { after: "a", dependencyType: "conditional" })
      .build();
    expect(summary(o, { conditions: { "a->b": () => false } })).toEqual([
      ["b", "a->b", "unsatisfiable"],
    ]);
    expect(summary(o, { conditions: { "a->b": () => true } })).toEqual([]);
  });

  it("reports dependencies on missing tasks", () => {
    const o = orion("o").task("b").dependency("ghost", "b").build();
    expect(summary(o)).toEqual([["b", "ghost->b", "missing_source"]]);
  });

  it("reports tasks on or after a cycle", () => {
    const o = orion("o")
      .task("free")
      .task("a", { after: "c" })
      .task("b", { after: "a" })
      .task("c", { after: "b" })
      .task("after", { after: "c" })
      .task("self", { after: "self" })
      .build();
    const blocked = summary(o);
    expect(blocked.map(([id, , reason]) => [id, reason])).toEqual([
      ["a", "cycle"],
      ["after", "cycle"],
      ["b", "cycle"],
      ["c", "cycle"],
      ["self", "cycle"],
    ]);
    expect(blocked.find(([id]) => id === "after")?.[1]).toBe("c->after");
    expect(blocked.find(([id]) => id === "self")?.[1]).toBe("self->self");
  });

  it("only considers not-started tasks: a finished task is never blocked", () => {
    const o = orion("o")
      .task("a", { status: "failed" })
      .task("b", { after: "a", status: "cancelled" })
      .build();
    expect(getBlockedTasks(o)).toEqual([]);
  });

  it("unblocks dependents through unconditional edges once a blocked task is cancelled", () => {
    const o = orion("o")
      .task("a", { status: "failed" })
      .task("b", { after: "a" })
      .task("c", { after: "b", dependencyType: "unconditional" })
      .build();
    expect(summary(o).map(([id]) => id)).toEqual(["b", "c"]);
    const { orion: after, newlyReady } = cancelTask(o, "b", 5);
    expect(getBlockedTasks(after)).toEqual([]);
    expect(newlyReady.map((t) => t.id)).toEqual(["c"]);
  });

  it("agrees with a naive fixed-point reference on random DAGs", () => {
    fc.assert(
      fc.property(dagArbitrary(), ({ orion: o, conditions }) => {
        const blocked = getBlockedTasks(o, { conditions }).map((b) => b.task.id);
        expect(blocked).toEqual(naiveBlockedIds(o, conditions));
        // A task is never both ready and blocked.
        const ready = new Set(getReadyTasks(o, { conditions }).map((t) => t.id));
        expect(blocked.filter((id) => ready.has(id))).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });

  it("agrees with the reference on graphs with cycles and dangling edges", () => {
    const ids = ["a", "b", "c", "d", "e"];
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom("pending", "running", "completed", "failed", "cancelled"), {
          minLength: 5,
          maxLength: 5,
        }),
        fc.uniqueArray(fc.tuple(fc.constantFrom(...ids, "ghost"), fc.constantFrom(...ids)), {
          selector: ([from, to]) => `${from}->${to}`,
          maxLength: 10,
        }),
        (statuses, edges) => {
          let builder = orion("o");
          ids.forEach((id, i) => (builder = builder.task(id, { status: statuses[i]! })));
          for (const [from, to] of edges) builder = builder.dependency(from, to);
          const o = builder.build();
          expect(getBlockedTasks(o).map((b) => b.task.id)).toEqual(naiveBlockedIds(o));
        },
      ),
      { numRuns: 300 },
    );
  });
});
