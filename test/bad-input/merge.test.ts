/**
 * Bad agent orions into `mergeOrionStates`: an invalid result is reported (an
 * `InvalidOrionError` in `report.error`, never thrown) and the orchestrator's orion comes back
 * unchanged, with its execution state. Rows M1-M7 of docs/bad-input.md.
 */
import { describe, expect, it } from "vitest";
import { completeTask } from "../../src/orion/completeTask.js";
import { InvalidOrionError } from "../../src/orion/errors.js";
import { mergeOrionStates } from "../../src/orion/mergeOrionStates.js";
import { orion } from "../../src/orion/orion.js";
import { startTask } from "../../src/orion/startTask.js";
import type { OrionIssue } from "../../src/orion/validateOrion.js";
import type { Task, TaskOrion } from "../../src/orion/types.js";

/** The orchestrator's orion: a completed, b running, c pending (a -> b -> c). */
function orchestrators(): TaskOrion {
  const plan = orion("o1").task("a").task("b", { after: "a" }).task("c", { after: "b" }).build();
  const done = completeTask(startTask(plan, "a", 1), "a", { success: true, result: 1 }, 2).orion;
  return startTask(done, "b", 3);
}

/** The agent's view: the plan, all pending (it never sees execution state in these tests). */
const agentPlan = () => orion("o1").task("a").task("b", { after: "a" }).task("c", { after: "b" });

/** Asserts the merge was rejected with issues of `kind`, returning the orchestrator's orion. */
function expectRejected(agent: TaskOrion, kind: OrionIssue["kind"], message: string): void {
  const ours = orchestrators();
  const { orion: merged, report } = mergeOrionStates(agent, ours);
  expect(report.error).toBeInstanceOf(InvalidOrionError);
  expect(report.error?.errors.map((e) => e.kind)).toContain(kind);
  expect(report.error?.message).toContain(message);
  expect(merged).toBe(ours);
  expect(merged.tasks["a"]).toMatchObject({ status: "completed", result: 1 });
  expect(merged.tasks["b"]?.status).toBe("running");
  expect(report.added).toEqual([]);
  expect(report.conflicts).toEqual([]);
}

describe("merge: an agent orion that fails validation", () => {
  it("M1 a cycle", () => {
    const agent = agentPlan().dependency("c", "a").build();
    expectRejected(agent, "cycle", "dependency cycle a -> b -> c -> a");
  });

  it("M2 a self-loop", () => {
    const agent = agentPlan().dependency("c", "c").build();
    expectRejected(agent, "self_dependency", 'makes task "c" depend on itself');
  });

  it("M3 a dependency to a missing task", () => {
    const agent = agentPlan().dependency("ghost", "c").build();
    expectRejected(agent, "missing_task", 'names missing source task "ghost"');
  });

  it("M4 a new task with a status that is not a TaskStatus, and a task under another key", () => {
    const bad = { ...agentPlan().build() };
    const tasks: Record<string, Task> = { ...bad.tasks };
    tasks["d"] = { id: "d", name: "d", status: "done" as Task["status"], params: {} };
    expectRejected({ ...bad, tasks }, "unknown_status", 'task "d" has unknown status "done"');
    const moved: Record<string, Task> = { ...bad.tasks, e: { ...bad.tasks["c"]!, id: "c2" } };
    expectRejected({ ...bad, tasks: moved }, "key_mismatch", 'task "c2" is stored under key "e"');
  });
});

describe("merge: edits that would lose execution state", () => {
  it("M5 the agent removes a running task: kept, with a conflict", () => {
    const ours = orchestrators();
    const agent = orion("o1").task("a").task("c", { after: "a" }).build();
    const { orion: merged, report } = mergeOrionStates(agent, ours);
    expect(report.error).toBeUndefined();
    expect(report.conflicts).toContainEqual({
      kind: "removed_started_task",
      taskId: "b",
      status: "running",
      resolution: "kept",
    });
    expect(merged.tasks["b"]).toBe(ours.tasks["b"]);
    expect(merged.tasks["a"]?.status).toBe("completed");
  });

  it("M6 the agent redefines a running task: the orchestrator's definition stands", () => {
    const ours = orchestrators();
    const agent = agentPlan()
      .task("b", { after: "a", params: { changed: true }, priority: 4 })
      .build();
    const { orion: merged, report } = mergeOrionStates(agent, ours);
    expect(report.conflicts).toContainEqual({
      kind: "definition_changed",
      taskId: "b",
      fields: ["priority", "params"],
    });
    expect(merged.tasks["b"]?.params).toEqual({});
    expect(merged.tasks["b"]?.status).toBe("running");
  });
});

describe("merge: prototype-pollution keys", () => {
  it("M7 __proto__ and constructor as task ids, from a JSON-parsed agent orion", () => {
    const plan = orion("o1").task("__proto__").task("constructor", { after: "__proto__" }).build();
    const ours = startTask(plan, "__proto__", 1);
    const agent = JSON.parse(JSON.stringify(plan)) as TaskOrion;
    expect(Object.keys(agent.tasks)).toEqual(["__proto__", "constructor"]);
    const { orion: merged, report } = mergeOrionStates(agent, ours);
    expect(report.error).toBeUndefined();
    expect(Object.keys(merged.tasks).sort()).toEqual(["__proto__", "constructor"]);
    expect(Object.hasOwn(merged.tasks, "__proto__")).toBe(true);
    expect(merged.tasks["__proto__"]?.status).toBe("running");
    expect(merged.tasks["constructor"]?.status).toBe("pending");
    expect(({} as Record<string, unknown>)["status"]).toBeUndefined();
  });
});
