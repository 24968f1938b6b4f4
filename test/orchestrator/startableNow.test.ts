import { describe, expect, it } from "vitest";
import {
  firstStartable,
  heldByScopes,
  startableNow,
  type GateView,
  type StartView,
} from "../../src/orchestrator/startableNow.js";
import type { Task, TaskStatus } from "../../src/orion/types.js";

// "Which ready tasks start now", one rule per test. The loop reads these inputs from the run,
// the running map and the synchronizer; here they are plain values.

const task = (id: string, status: TaskStatus = "pending"): Task => ({
  id,
  name: id,
  status,
  params: {},
});

const a = task("a");
const b = task("b");
const c = task("c");

/** A view of ready tasks `ready` (best first), nothing running, no gate, no merge owed. */
function view(ready: readonly Task[], overrides: Partial<StartView> = {}): StartView {
  return {
    best: ready[0],
    ready: () => ready,
    isRunning: () => false,
    runningCount: 0,
    maxConcurrency: Number.POSITIVE_INFINITY,
    gate: { kind: "none" },
    mustMergeFirst: () => false,
    ...overrides,
  };
}

/** A scoped gate holding the orion when `orion`, and the tasks of `held`. */
const scoped = (held: readonly string[], orion = false): GateView => ({
  kind: "scoped",
  holds: (ids) => (ids.length === 0 ? orion : ids.some((id) => held.includes(id))),
});

describe("startableNow", () => {
  it("starts the best ready task", () => {
    expect(startableNow(view([a, b]))).toEqual({ kind: "start", task: a });
  });

  it("stops when no task is ready", () => {
    expect(startableNow(view([]))).toEqual({ kind: "stop", why: "nothing-ready" });
  });

  it("skips a best task that is not pending, or whose earlier start still runs", () => {
    expect(startableNow(view([task("a", "running"), b]))).toEqual({ kind: "start", task: b });
    const stillRunning = view([a, b], { isRunning: (id) => id === "a" });
    expect(startableNow(stillRunning)).toEqual({ kind: "start", task: b });
    const none = view([a], { isRunning: () => true });
    expect(startableNow(none)).toEqual({ kind: "stop", why: "nothing-ready" });
  });

  it("reads the sorted ready list only when the best task may not start", () => {
    let scans = 0;
    const ready = (): readonly Task[] => {
      scans++;
      return [a, b];
    };
    startableNow(view([a, b], { ready }));
    expect(scans).toBe(0);
    startableNow(view([a, b], { ready, isRunning: (id) => id === "a" }));
    expect(scans).toBe(1);
  });

  it("starts nothing at maxConcurrency, whatever the gate", () => {
    const full = view([a], { runningCount: 2, maxConcurrency: 2 });
    expect(startableNow(full)).toEqual({ kind: "stop", why: "at-concurrency" });
    expect(startableNow({ ...full, runningCount: 1 })).toEqual({ kind: "start", task: a });
  });

  it("whole-orion gate: a pending modification holds every task", () => {
    const pending = (p: boolean): GateView => ({ kind: "orion", pending: () => p });
    expect(startableNow(view([a], { gate: pending(true) }))).toEqual({
      kind: "stop",
      why: "held",
    });
    expect(startableNow(view([a], { gate: pending(false) }))).toEqual({ kind: "start", task: a });
  });

  it("scoped: a whole-orion modification holds every task, without a scan per task", () => {
    const asked: (readonly string[])[] = [];
    const gate: GateView = {
      kind: "scoped",
      holds: (ids) => {
        asked.push(ids);
        return ids.length === 0;
      },
    };
    expect(startableNow(view([a, b], { gate }))).toEqual({ kind: "stop", why: "held" });
    expect(asked).toEqual([[]]);
  });

  it("scoped: a held best task gives way to the next in order that is not held", () => {
    expect(startableNow(view([a, b, c], { gate: scoped(["a", "b"]) }))).toEqual({
      kind: "start",
      task: c,
    });
  });

  it("scoped: the next in order must also be one that may start", () => {
    const gate = scoped(["a"]);
    const isRunning = (id: string): boolean => id === "b";
    expect(startableNow(view([a, b, c], { gate, isRunning }))).toEqual({
      kind: "start",
      task: c,
    });
  });

  it("scoped: stops when every ready task that may start is held", () => {
    expect(startableNow(view([a, b], { gate: scoped(["a", "b"]) }))).toEqual({
      kind: "stop",
      why: "held",
    });
  });

  it("merges the agent's orion before any start, but only once the gate lets a task through", () => {
    let asked = 0;
    const mustMergeFirst = (): boolean => {
      asked++;
      return true;
    };
    expect(startableNow(view([a], { mustMergeFirst }))).toEqual({
      kind: "stop",
      why: "merge-first",
    });
    expect(asked).toBe(1);
    // A held task stops the loop as held: the merge is not asked for (no further pass).
    const held = view([a], { mustMergeFirst, gate: { kind: "orion", pending: () => true } });
    expect(startableNow(held)).toEqual({ kind: "stop", why: "held" });
    expect(asked).toBe(1);
  });

  it("applies the rules in order: nothing ready, concurrency, gate, merge", () => {
    const everything = (ready: readonly Task[]): StartView =>
      view(ready, {
        runningCount: 1,
        maxConcurrency: 1,
        gate: { kind: "orion", pending: () => true },
        mustMergeFirst: () => true,
      });
    expect(startableNow(everything([]))).toMatchObject({ why: "nothing-ready" });
    expect(startableNow(everything([a]))).toMatchObject({ why: "at-concurrency" });
    expect(startableNow({ ...everything([a]), runningCount: 0 })).toMatchObject({ why: "held" });
  });
});

describe("firstStartable", () => {
  it("is the best task when it may start, else the first in order that may", () => {
    const ready = (): readonly Task[] => [task("x", "running"), a, b];
    expect(firstStartable(a, ready, () => false)).toBe(a);
    expect(firstStartable(task("x", "running"), ready, () => false)).toBe(a);
    expect(firstStartable(undefined, ready, () => false)).toBeUndefined();
  });
});

describe("heldByScopes", () => {
  it("lists the ready tasks a scope holds among those that may start", () => {
    const held = heldByScopes(
      [a, b, c, task("d", "running")],
      (id) => id === "b",
      (ids) => ids.some((id) => id !== "c"),
    );
    expect([...held]).toEqual(["a"]);
  });
});
