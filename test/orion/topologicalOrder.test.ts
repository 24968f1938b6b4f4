import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { orion, OrionCycleError, topologicalOrder } from "../../src/orion/index.js";
import { dagArbitrary } from "./support/arbitraries.js";

describe("topologicalOrder", () => {
  it("puts every task after the tasks it depends on, ties in record order", () => {
    const o = orion("o")
      .task("report", { after: ["parse", "fetch"] })
      .task("parse", { after: "fetch" })
      .task("fetch")
      .task("lonely")
      .build();
    expect(topologicalOrder(o)).toEqual(["fetch", "lonely", "parse", "report"]);
  });

  it("ignores edges to missing tasks", () => {
    const o = orion("o").task("a").dependency("ghost", "a").dependency("a", "ghost2").build();
    expect(topologicalOrder(o)).toEqual(["a"]);
  });

  it("throws OrionCycleError with the cycle's path", () => {
    const o = orion("o1")
      .task("x")
      .task("c", { after: "b" })
      .task("b", { after: "a" })
      .task("a", { after: ["c", "x"] })
      .build();
    const error = (() => {
      try {
        topologicalOrder(o);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(OrionCycleError);
    expect(error).toMatchObject({
      name: "OrionCycleError",
      orionId: "o1",
      path: ["a", "b", "c", "a"],
    });
    expect((error as Error).message).toContain("a -> b -> c -> a");
  });

  it("reports a self-dependency as a one-task cycle", () => {
    const o = orion("o").task("a", { after: "a" }).build();
    expect(() => topologicalOrder(o)).toThrow(expect.objectContaining({ path: ["a", "a"] }));
  });

  it("orders random DAGs consistently with every edge", () => {
    fc.assert(
      fc.property(dagArbitrary(), ({ orion: o }) => {
        const order = topologicalOrder(o);
        expect([...order].sort()).toEqual(Object.keys(o.tasks).sort());
        const position = new Map(order.map((id, i) => [id, i]));
        for (const d of Object.values(o.dependencies)) {
          expect(position.get(d.fromTaskId)!).toBeLessThan(position.get(d.toTaskId)!);
        }
      }),
      { numRuns: 300 },
    );
  });
});
