import { describe, expect, it } from "vitest";
import { immer } from "../../src/immer.js";
import {
  createOrionRun,
  IllegalTransitionError,
  InvalidOrionError,
  orion,
  UnknownTaskError,
} from "../../src/orion/index.js";
import { collectGarbage } from "../support/collectGarbage.js";

const ids = (tasks: readonly { id: string }[]): string[] => tasks.map((t) => t.id);
const plan = orion("o")
  .task("fetch", { priority: 3 })
  .task("parse", { after: "fetch" })
  .task("report", { after: ["parse"] })
  .build();

describe("createOrionRun", () => {
  it("runs the documented call sequence", () => {
    const run = createOrionRun(plan);
    expect(ids(run.ready())).toEqual(["fetch"]);
    expect(run.waitingOn("parse")).toEqual(["fetch->parse"]);
    expect(ids(run.takeReady(5, 1))).toEqual(["fetch"]);
    expect(run.task("fetch")?.status).toBe("running");
    expect(run.state()).toBe("executing");
    expect(ids(run.complete("fetch", { success: true, result: 1 }, 2))).toEqual(["parse"]);
    expect(run.counts()).toMatchObject({ total: 3, completed: 1, notStarted: 2 });
    run.start("parse", 3);
    expect(ids(run.complete("parse", { success: true }, 4))).toEqual(["report"]);
    run.start("report", 5);
    expect(run.isFinished()).toBe(false);
    run.complete("report", { success: false, error: "no" }, 6);
    expect(run.isFinished()).toBe(true);
    expect(run.snapshot().state).toBe("partially_failed");
  });

  it("finds an edge by the id it had when loaded, when a removal names it later", () => {
    // The run keys its edges by dependency id; an id changed in place after the run began (a
    // caller's mutable object, or a getter) must not leave the edge stuck, blocking its task.
    const dependency = { id: "a->b", fromTaskId: "a", toTaskId: "b", type: "success_only" };
    const task = (id: string) => ({ id, name: id, status: "pending", params: {} });
    const start = {
      id: "o",
      tasks: { a: task("a"), b: task("b") },
      dependencies: { "a->b": dependency },
    } as unknown as Parameters<typeof createOrionRun>[0];
    const run = createOrionRun(start);
    dependency.id = "renamed";
    const report = run.applyAgentOrion({ ...start, dependencies: {} });
    expect(ids(report.newlyReady)).toEqual(["b"]);
    expect(ids(run.ready())).toEqual(["a", "b"]);
    expect(run.waitingOn("b")).toEqual([]);
  });

  it("publishes one frozen snapshot per version, leaving the orion it started from alone", () => {
    const run = createOrionRun(plan);
    const first = run.snapshot();
    expect(run.snapshot()).toBe(first);
    expect(Object.isFrozen(first.tasks)).toBe(true);
    run.start("fetch", 1);
    expect(run.snapshot()).not.toBe(first);
    expect(run.snapshot().tasks["fetch"]?.status).toBe("running");
    expect(plan.tasks["fetch"]?.status).toBe("pending");
  });

  it("applies an agent's edit by its difference, with or without a hint", () => {
    const run = createOrionRun(plan);
    run.takeReady(1, 1);
    const agent = immer.produce(plan, (draft) => {
      draft.tasks["lint"] = { id: "lint", name: "lint", status: "pending", params: {} };
      draft.dependencies["lint->parse"] = {
        id: "lint->parse",
        fromTaskId: "lint",
        toTaskId: "parse",
        type: "success_only",
      };
    });
    const report = run.applyAgentOrion(agent, { tasks: ["lint"], dependencies: ["lint->parse"] });
    expect(report).toMatchObject({ added: ["lint"], removed: [], conflicts: [] });
    expect(ids(report.newlyReady)).toEqual(["lint"]);
    expect(run.snapshot().tasks["fetch"]?.status).toBe("running");
    run.complete("fetch", { success: true }, 2);
    expect(run.waitingOn("parse")).toEqual(["lint->parse"]);
    // A later edit inserting a task before an existing one: re-ranked, not rejected.
    const next = immer.produce(agent, (draft) => {
      draft.tasks["check"] = { id: "check", name: "check", status: "pending", params: {} };
      draft.dependencies["check->lint"] = {
        id: "check->lint",
        fromTaskId: "check",
        toTaskId: "lint",
        type: "success_only",
      };
    });
    expect(run.applyAgentOrion(next).error).toBeUndefined();
    expect(ids(run.ready())).toEqual(["check"]);
  });

  it("rejects an edit that closes a cycle, as the merge does, and stays as it was", () => {
    const run = createOrionRun(plan);
    const before = run.snapshot();
    const agent = immer.produce(plan, (draft) => {
      draft.dependencies["report->fetch"] = {
        id: "report->fetch",
        fromTaskId: "report",
        toTaskId: "fetch",
        type: "success_only",
      };
    });
    const report = run.applyAgentOrion(agent);
    expect(report.error).toBeInstanceOf(InvalidOrionError);
    expect(report.error?.errors.map((i) => i.kind)).toEqual(["cycle"]);
    expect(run.snapshot()).toBe(before);
    expect(ids(run.ready())).toEqual(["fetch"]);
  });

  it("with keepHistory, publishes any earlier version later, as snapshot() was then", () => {
    const run = createOrionRun(plan, { keepHistory: true });
    const seen = new Map<number, unknown>();
    const look = (): void => void seen.set(run.version, structuredClone(run.snapshot()));
    look();
    run.start("fetch", 1);
    look();
    run.complete("fetch", { success: true }, 2);
    look();
    const agent = immer.produce(plan, (draft) => {
      delete draft.tasks["report"];
      delete draft.dependencies["parse->report"];
      draft.tasks["parse"]!.priority = 9;
    });
    expect(run.applyAgentOrion(agent).error).toBeUndefined();
    look();
    run.start("parse", 3);
    look();
    for (const [version, then] of seen) expect(run.snapshotAt(version)).toEqual(then);
    expect(run.snapshotAt(run.version)).toBe(run.snapshot());
    expect(run.dependenciesInto("parse").map((d) => d.id)).toEqual(["fetch->parse"]);
    expect(() => run.snapshotAt(run.version + 1)).toThrow(RangeError);
    expect(() => createOrionRun(plan).snapshotAt(-1)).toThrow(RangeError);
  });

  it("throws what the model's transitions throw", () => {
    const run = createOrionRun(plan);
    expect(() => run.start("nope")).toThrow(UnknownTaskError);
    expect(() => run.complete("fetch", { success: true })).toThrow(IllegalTransitionError);
    expect(() =>
      createOrionRun(orion("bad").task("a", { after: "b" }).task("b", { after: "a" }).build()),
    ).toThrow(InvalidOrionError);
  });

  // From a review: a closure that named the orion kept it alive for the run's lifetime.
  it("lets the orion it started from be collected once an agent's orion replaced it", async () => {
    const { first, run } = (() => {
      const start = orion("o").task("a").task("b", { after: "a" }).build();
      const started = createOrionRun(start);
      started.applyAgentOrion(
        immer.produce(started.snapshot(), (draft) => {
          draft.tasks["b"]!.params = { n: 1 };
        }),
      );
      started.snapshot();
      return { first: new WeakRef(start), run: started };
    })();
    await collectGarbage();
    expect(first.deref()).toBeUndefined();
    expect(run.task("b")?.params).toEqual({ n: 1 });
  });

  it("lists each task a hub's end made ready once, best first, with a few dependents or many", () => {
    for (const fanOut of [3, 40]) {
      let hub = orion("o").task("root");
      for (let i = 0; i < fanOut; i++) hub = hub.task(`c${i}`, { after: "root", priority: i % 3 });
      const run = createOrionRun(hub.build());
      run.start("root", 1);
      const ready = run.complete("root", { success: true }, 2);
      expect(ids(ready)).toEqual(ids(run.ready()));
      expect(new Set(ids(ready)).size).toBe(fanOut);
    }
  });
});

describe("createOrionRun: an agent orion the whole-orion merge accepts but validation does not", () => {
  it("rejects a task the record does not enumerate, and leaves the run as it was", () => {
    const run = createOrionRun(orion("o").task("a").build());
    const task = (id: string) => ({ id, name: id, status: "pending" as const, params: {} });
    const tasks = { a: task("a") };
    Object.defineProperty(tasks, "x", { value: task("x"), enumerable: false });
    const report = run.applyAgentOrion({
      id: "o",
      state: "created",
      tasks,
      dependencies: { d1: { id: "d1", fromTaskId: "a", toTaskId: "x", type: "unconditional" } },
    });
    expect(report.error).toBeInstanceOf(InvalidOrionError);
    expect(ids(run.ready())).toEqual(["a"]);
    expect(run.counts().total).toBe(1);
    expect(ids(run.takeReady(1, 1))).toEqual(["a"]);
    expect(ids(run.complete("a", { success: true }, 2))).toEqual([]);
    expect(run.isFinished()).toBe(true);
  });
});
