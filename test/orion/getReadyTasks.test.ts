import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  cancelTask,
  completeTask,
  getReadyTasks,
  isDependencySatisfied,
  orion,
  startTask,
  type DependencyType,
  type TaskOrion,
  type TaskStatus,
} from "../../src/orion/index.js";
import { dagArbitrary } from "./support/arbitraries.js";
import { naiveReadyIds } from "./support/reference.js";

const ids = (tasks: readonly { id: string }[]): string[] => tasks.map((t) => t.id);

/** `b` after `a` with the given edge type, `a` in the given state. */
function pair(
  type: DependencyType,
  status: TaskStatus,
  extra: { result?: string; error?: string } = {},
) {
  return orion("o")
    .task("a", { status, ...extra })
    .task("b", { after: "a", dependencyType: type })
    .build();
}

describe("getReadyTasks", () => {
  it("returns not-started tasks with no dependencies, highest priority first, then by id", () => {
    const o = orion("o")
      .task("low", { priority: 1 })
      .task("b-high", { priority: 3 })
      .task("a-high", { priority: 3 })
      .task("default") // no priority: MEDIUM (2)
      .task("waiting", { status: "waiting_dependency", priority: 4 })
      .task("running", { status: "running", priority: 4 })
      .task("done", { status: "completed", priority: 4 })
      .build();
    expect(ids(getReadyTasks(o))).toEqual(["waiting", "a-high", "b-high", "default", "low"]);
  });

  it("holds a task back until its source is terminal", () => {
    for (const status of ["pending", "waiting_dependency", "running"] as const) {
      for (const type of [
        "unconditional",
        "completion_only",
        "success_only",
        "conditional",
      ] as const) {
        expect(ids(getReadyTasks(pair(type, status)))).not.toContain("b");
      }
    }
  });

  it.each([
    ["unconditional", "completed", true],
    ["unconditional", "failed", true],
    ["unconditional", "cancelled", true],
    ["completion_only", "completed", true],
    ["completion_only", "failed", true],
    ["completion_only", "cancelled", true],
    ["success_only", "completed", true],
    ["success_only", "failed", false],
    ["success_only", "cancelled", false],
    ["conditional", "completed", true],
    ["conditional", "failed", false],
    ["conditional", "cancelled", false],
  ] as const)("%s after a %s source: ready = %s", (type, status, ready) => {
    expect(ids(getReadyTasks(pair(type, status))).includes("b")).toBe(ready);
  });

  it("does not let a failed source with an error object satisfy success_only (UFO's bug)", () => {
    const o = pair("success_only", "failed", { error: "disk full" });
    expect(ids(getReadyTasks(o))).toEqual([]);
    const dependency = o.dependencies["a->b"]!;
    expect(isDependencySatisfied(dependency, o.tasks["a"])).toBe(false);
  });

  it("asks the caller's predicate for a conditional dependency, with the source task", () => {
    const o = orion("o")
      .task("a", { status: "failed", error: "timeout" })
      .task("b", { after: "a", dependencyType: "conditional" })
      .build();
    const seen: string[] = [];
    const conditions = {
      "a->b": (source: { id: string; error?: unknown }) => {
        seen.push(`${source.id}:${String(source.error)}`);
        return source.error === "timeout";
      },
    };
    expect(ids(getReadyTasks(o, { conditions }))).toEqual(["b"]);
    expect(seen).toEqual(["a:timeout"]);
    expect(ids(getReadyTasks(o, { conditions: { "a->b": () => false } }))).toEqual([]);
    // A predicate is never asked before the source is terminal.
    const running = orion("o")
      .task("a", { status: "running" })
      .task("b", { after: "a", dependencyType: "conditional" })
      .build();
    expect(ids(getReadyTasks(running, { conditions: { "a->b": () => true } }))).toEqual([]);
  });

  it("needs every incoming dependency satisfied", () => {
    const o = orion("o")
      .task("a", { status: "completed" })
      .task("b", { status: "failed" })
      .task("c", { after: ["a", "b"], dependencyType: "success_only" })
      .task("d", { after: ["a", "b"], dependencyType: "completion_only" })
      .build();
    expect(ids(getReadyTasks(o))).toEqual(["d"]);
  });

  it("never readies a task whose dependency names a missing task", () => {
    const o = orion("o").task("b").dependency("ghost", "b", { type: "unconditional" }).build();
    expect(getReadyTasks(o)).toEqual([]);
  });

  it("handles ids that are Object.prototype names", () => {
    const o = orion("o")
      .task("__proto__", { status: "completed" })
      .task("constructor", { after: "__proto__" })
      .task("toString", { after: "hasOwnProperty" })
      .build();
    expect(ids(getReadyTasks(o))).toEqual(["constructor"]);
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it("agrees with a naive reference on random DAGs (and on their JSON copies)", () => {
    fc.assert(
      fc.property(dagArbitrary(), ({ orion: o, conditions }) => {
        expect(ids(getReadyTasks(o, { conditions }))).toEqual(naiveReadyIds(o, conditions));
        // Ordinary-prototype records, as JSON.parse makes them, with ids like "constructor".
        const copy = JSON.parse(JSON.stringify(o)) as TaskOrion;
        expect(ids(getReadyTasks(copy, { conditions }))).toEqual(naiveReadyIds(o, conditions));
      }),
      { numRuns: 400 },
    );
  });

  it("stays in agreement through a run of transitions (memoised facts follow the orion)", () => {
    fc.assert(
      fc.property(
        dagArbitrary(),
        fc.array(fc.nat(), { maxLength: 12 }),
        ({ orion: start, conditions }, picks) => {
          let o = start;
          expect(ids(getReadyTasks(o, { conditions }))).toEqual(naiveReadyIds(o, conditions));
          for (const pick of picks) {
            const ready = getReadyTasks(o, { conditions });
            const running = Object.values(o.tasks).filter((t) => t.status === "running");
            if (pick % 3 === 0 && ready.length > 0) {
              o = startTask(o, ready[pick % ready.length]!.id, pick);
            } else if (running.length > 0) {
              const task = running[pick % running.length]!;
              const outcome =
                pick % 2 === 0
                  ? { success: true as const, result: pick }
                  : { success: false as const, error: pick };
              const { orion: next, newlyReady } = completeTask(o, task.id, outcome, pick, {
                conditions,
              });
              const before = new Set(naiveReadyIds(o, conditions));
              expect(ids(newlyReady)).toEqual(
                naiveReadyIds(next, conditions).filter((id) => !before.has(id)),
              );
              o = next;
            } else if (ready.length > 0) {
              o = cancelTask(o, ready[pick % ready.length]!.id, pick, { conditions }).orion;
            }
            expect(ids(getReadyTasks(o, { conditions }))).toEqual(naiveReadyIds(o, conditions));
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
