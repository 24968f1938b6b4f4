/**
 * The spec's race, reproduced without the synchronizer and prevented with it, end to end:
 * real bus, facade, reference orchestrator and scripted agent, in virtual time.
 */
import { describe, expect, it } from "vitest";
import type { AgentEdit } from "../../src/agent/index.js";
import { orion } from "../../src/orion/orion.js";
import { immer } from "../../src/immer.js";
import type { Task, TaskOrion } from "../../src/orion/types.js";
import { runScenario } from "./scenario.js";

const plan = () =>
  orion("o1")
    .task("a")
    .task("b", { after: "a", params: { mode: "draft" } })
    .build();

const startedWith = (run: ReturnType<typeof runScenario>, id: string): Task | undefined =>
  run.result.timings.find((t) => t.taskId === id)?.definition;

/** After `after` completes, the agent adds task `id` depending on it. */
const addTaskAfter =
  (after: string, id: string): AgentEdit =>
  (event, current) =>
    event.taskId === after && current
      ? immer.produce(current, (draft) => {
          draft.tasks[id] = { id, name: id, status: "pending", params: {} };
          draft.dependencies[`${after}->${id}`] = {
            id: `${after}->${id}`,
            fromTaskId: after,
            toTaskId: id,
            type: "success_only",
          };
        })
      : undefined;

/** After A completes, the agent rewrites B's params. */
const rewriteB: AgentEdit = (event, current) =>
  event.taskId === "a" && current
    ? immer.produce(current, (draft) => {
        const b = draft.tasks["b"];
        if (b) b.params = { mode: "final" };
      })
    : undefined;

describe("the race, end to end", () => {
  it("is real: without the synchronizer, B starts with the stale params", () => {
    const run = runScenario({
      plan: plan(),
      withSync: false,
      agent: { latency: 100, edit: rewriteB },
    });
    expect(startedWith(run, "b")?.params).toEqual({ mode: "draft" });
    expect(run.result.timings.find((t) => t.taskId === "b")?.startedAt).toBe(10);
  });

  it("is prevented: with the synchronizer, B starts after the agent, with its params", () => {
    const run = runScenario({
      plan: plan(),
      withSync: true,
      agent: { latency: 100, edit: rewriteB },
    });
    expect(startedWith(run, "b")?.params).toEqual({ mode: "final" });
    expect(run.result.timings.find((t) => t.taskId === "b")?.startedAt).toBe(110);
    expect(run.result.outcome).toBe("completed");
    expect(run.result.heldMs).toBeGreaterThanOrEqual(100);
  });

  it("runs a task the agent adds after A", () => {
    const addC = addTaskAfter("a", "c");
    const run = runScenario({ plan: plan(), withSync: true, agent: { latency: 50, edit: addC } });
    expect(run.result.orion.tasks["c"]?.status).toBe("completed");
    expect(run.result.timings.map((t) => t.taskId).sort()).toEqual(["a", "b", "c"]);
  });

  it("never runs a pending task the agent removes", () => {
    const removeB: AgentEdit = (event, current) =>
      event.taskId === "a" && current
        ? immer.produce(current, (draft) => {
            delete draft.tasks["b"];
            for (const [id, dep] of Object.entries(draft.dependencies)) {
              if (dep.toTaskId === "b" || dep.fromTaskId === "b") delete draft.dependencies[id];
            }
          })
        : undefined;
    const run = runScenario({
      plan: plan(),
      withSync: true,
      agent: { latency: 50, edit: removeB },
    });
    expect(run.result.timings.map((t) => t.taskId)).toEqual(["a"]);
    expect(run.result.orion.tasks["b"]).toBeUndefined();
    expect(run.result.outcome).toBe("completed");
  });

  it("makes B wait for a task the agent rewires it to", () => {
    const rewire: AgentEdit = (event, current) =>
      event.taskId === "a" && current
        ? (orion("o1")
            .task("a", current.tasks["a"] ?? {})
            .task("n", { after: "a" })
            .task("b", { after: "n", params: { mode: "draft" } })
            .build() as TaskOrion)
        : undefined;
    const run = runScenario({ plan: plan(), withSync: true, agent: { latency: 50, edit: rewire } });
    const n = run.result.timings.find((t) => t.taskId === "n");
    const b = run.result.timings.find((t) => t.taskId === "b");
    expect(n?.startedAt).toBe(60);
    // n completes at 70, the agent answers it at 120; only then may b start.
    expect(b?.startedAt).toBe(120);
    expect(run.result.outcome).toBe("completed");
  });

  it("resumes after the modification timeout when the agent never answers", () => {
    const run = runScenario({ plan: plan(), withSync: true, modificationTimeout: 1000 });
    expect(run.result.timings.find((t) => t.taskId === "b")?.startedAt).toBe(1010);
    expect(run.result.statistics?.timeoutModifications).toBeGreaterThanOrEqual(1);
    expect(run.result.outcome).toBe("completed");
  });

  it("batches completions that arrive while the agent works, and waits for the batch", () => {
    const wide = orion("o1")
      .task("x")
      .task("y")
      .task("z")
      .task("w", { after: ["x", "y", "z"] })
      .build();
    const run = runScenario({ plan: wide, withSync: true, agent: { latency: 40 } });
    // x, y and z complete together at 10: x starts the agent's work, y and z queue up.
    expect(run.modifications.map((m) => [...m.onTaskIds].sort())).toEqual([
      ["x"],
      ["y", "z"],
      ["w"],
    ]);
    // The batch for y and z is published at 90; w starts then.
    expect(run.result.timings.find((t) => t.taskId === "w")?.startedAt).toBe(90);
    expect(run.result.statistics).toMatchObject({
      totalModifications: 4,
      completedModifications: 4,
    });
  });
});

describe("the race, with instant tasks and shared synchronizers", () => {
  it("holds dependents of a task that completes synchronously inside the orchestrator", () => {
    const run = runScenario({
      plan: plan(),
      withSync: true,
      agent: { latency: 100, edit: rewriteB },
      duration: () => 0,
    });
    expect(startedWith(run, "b")?.params).toEqual({ mode: "final" });
    expect(run.result.timings.find((t) => t.taskId === "b")?.startedAt).toBe(100);
  });
});

describe("the end of an orion", () => {
  it("waits for the agent's answer to the last completion, even for instant tasks", () => {
    const followUp = addTaskAfter("b", "c");
    for (const duration of [0, 10]) {
      const run = runScenario({
        plan: plan(),
        withSync: true,
        agent: { latency: 30, edit: followUp },
        duration: () => duration,
      });
      expect(run.result.orion.tasks["c"]?.status).toBe("completed");
      expect(run.result.statistics?.completedModifications).toBe(3);
    }
  });
});

describe("gate: false", () => {
  it("merges the agent's edits that have landed, but does not wait for those in progress", () => {
    const chain = orion("o1")
      .task("a")
      .task("b", { after: "a", params: { mode: "draft" } })
      .task("c", { after: "b", params: { mode: "draft" } })
      .build();
    // After a completes (10), the agent rewrites b and c, landing at 15.
    const rewriteBC: AgentEdit = (event, current) =>
      event.taskId === "a" && current
        ? immer.produce(current, (draft) => {
            for (const id of ["b", "c"]) {
              const task = draft.tasks[id];
              if (task) task.params = { mode: "final" };
            }
          })
        : undefined;
    const run = runScenario({
      plan: chain,
      withSync: true,
      gate: false,
      agent: { latency: 5, edit: rewriteBC },
    });
    // b started at 10, before the edit landed: the race. c started at 20 with the edit.
    expect(startedWith(run, "b")?.params).toEqual({ mode: "draft" });
    expect(startedWith(run, "c")?.params).toEqual({ mode: "final" });
    expect(run.result.heldMs).toBe(0);
  });
});
