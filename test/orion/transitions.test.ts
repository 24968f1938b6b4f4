import { describe, expect, it } from "vitest";
import {
  cancelTask,
  completeTask,
  IllegalTransitionError,
  orion,
  startTask,
  UnknownTaskError,
} from "../../src/orion/index.js";

const plan = () =>
  orion("o")
    .task("a", { priority: 1 })
    .task("b", { after: "a", priority: 2 })
    .task("c", { after: "a", priority: 4 })
    .task("d", { after: ["a", "b"] })
    .task("e", { after: "a", dependencyType: "completion_only" })
    .build();

const thrown = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("did not throw");
};

describe("startTask", () => {
  it("marks a not-started task running from `at`, and derives the state", () => {
    const before = plan();
    const after = startTask(before, "a", 1000);
    expect(after.tasks["a"]).toEqual({
      ...before.tasks["a"],
      status: "running",
      executionStartTime: 1000,
    });
    expect(after.state).toBe("executing");
    expect(before.tasks["a"]!.status).toBe("pending"); // the input is untouched
    expect(after.tasks["b"]).toBe(before.tasks["b"]); // structural sharing
    expect(after.dependencies).toBe(before.dependencies);
  });

  it("starts a waiting_dependency task too, and defaults `at` to now", () => {
    const o = orion("o").task("a", { status: "waiting_dependency" }).build();
    const now = Date.now();
    const started = startTask(o, "a").tasks["a"]!;
    expect(started.status).toBe("running");
    expect(started.executionStartTime).toBeGreaterThanOrEqual(now);
  });

  it("rejects unknown ids and illegal transitions with typed errors", () => {
    const running = startTask(plan(), "a", 1);
    expect(thrown(() => startTask(running, "nope"))).toMatchObject({
      name: "UnknownTaskError",
      orionId: "o",
      taskId: "nope",
    });
    expect(thrown(() => startTask(running, "constructor"))).toBeInstanceOf(UnknownTaskError);
    const error = thrown(() => startTask(running, "a"));
    expect(error).toBeInstanceOf(IllegalTransitionError);
    expect(error).toMatchObject({ taskId: "a", from: "running", to: "running" });
  });
});

describe("completeTask", () => {
  it("completes a running task with its result and returns the tasks it made ready", () => {
    const running = startTask(plan(), "a", 10);
    const { orion: after, newlyReady } = completeTask(
      running,
      "a",
      { success: true, result: { rows: 3 } },
      20,
    );
    expect(after.tasks["a"]).toMatchObject({
      status: "completed",
      result: { rows: 3 },
      executionStartTime: 10,
      executionEndTime: 20,
    });
    expect(after.tasks["a"]).not.toHaveProperty("error");
    // d also waits for b; priority order: c (4), b (2), e (default 2), ids break the tie.
    expect(newlyReady.map((t) => t.id)).toEqual(["c", "b", "e"]);
    expect(after.state).toBe("executing");
  });

  it("fails a running task with its error: only completion_only dependents become ready", () => {
    const running = startTask(plan(), "a", 10);
    const { orion: after, newlyReady } = completeTask(
      running,
      "a",
      { success: false, error: "boom" },
      20,
    );
    expect(after.tasks["a"]).toMatchObject({
      status: "failed",
      error: "boom",
      executionEndTime: 20,
    });
    expect(after.tasks["a"]).not.toHaveProperty("result");
    expect(newlyReady.map((t) => t.id)).toEqual(["e"]);
  });

  it("derives the orion's final state", () => {
    const one = orion("o").task("a").build();
    const done = completeTask(startTask(one, "a", 1), "a", { success: true, result: null }, 2);
    expect(done.orion.state).toBe("completed");
    expect(done.orion.tasks["a"]!.result).toBeNull();
    const failed = completeTask(startTask(one, "a", 1), "a", { success: false, error: null }, 2);
    expect(failed.orion.state).toBe("failed");
  });

  it("rejects completing a task twice, or one that never started", () => {
    const done = completeTask(startTask(plan(), "a", 1), "a", { success: true }, 2).orion;
    expect(thrown(() => completeTask(done, "a", { success: true }))).toMatchObject({
      name: "IllegalTransitionError",
      taskId: "a",
      from: "completed",
      to: "completed",
    });
    expect(thrown(() => completeTask(done, "b", { success: false, error: "x" }))).toMatchObject({
      from: "pending",
      to: "failed",
    });
    expect(thrown(() => completeTask(done, "zz", { success: true }))).toBeInstanceOf(
      UnknownTaskError,
    );
  });

  it("passes conditions through to find newly ready tasks", () => {
    const o = orion("o")
      .task("a", { status: "running" })
      .task("b", { after: "a", dependencyType: "conditional" })
      .build();
    const yes = completeTask(o, "a", { success: false, error: 1 }, 2, {
      conditions: { "a->b": () => true },
    });
    expect(yes.newlyReady.map((t) => t.id)).toEqual(["b"]);
    const no = completeTask(o, "a", { success: false, error: 1 }, 2);
    expect(no.newlyReady).toEqual([]);
  });
});

describe("cancelTask", () => {
  it("cancels a pending or running task; unconditional and completion_only dependents become ready", () => {
    const { orion: after, newlyReady } = cancelTask(plan(), "a", 7);
    expect(after.tasks["a"]).toMatchObject({ status: "cancelled", executionEndTime: 7 });
    expect(newlyReady.map((t) => t.id)).toEqual(["e"]);
    const running = startTask(plan(), "a", 3);
    expect(cancelTask(running, "a", 9).orion.tasks["a"]).toMatchObject({
      status: "cancelled",
      executionStartTime: 3,
      executionEndTime: 9,
    });
  });

  it("rejects cancelling a finished task", () => {
    const { orion: cancelled } = cancelTask(plan(), "a", 7);
    expect(thrown(() => cancelTask(cancelled, "a"))).toMatchObject({
      name: "IllegalTransitionError",
      from: "cancelled",
      to: "cancelled",
    });
    expect(thrown(() => cancelTask(cancelled, "missing"))).toBeInstanceOf(UnknownTaskError);
  });

  it("works with an id that is __proto__ in an ordinary object record", () => {
    const o = JSON.parse(
      '{"id":"o","state":"ready","tasks":{"__proto__":{"id":"__proto__","name":"p","status":"pending","params":{}}},"dependencies":{}}',
    );
    const { orion: after } = cancelTask(o, "__proto__", 1);
    expect(Object.hasOwn(after.tasks, "__proto__")).toBe(true);
    expect(after.tasks["__proto__"]!.status).toBe("cancelled");
    expect(Object.getPrototypeOf(o.tasks)).toBe(Object.prototype);
    expect(({} as { status?: unknown }).status).toBeUndefined();
  });
});
