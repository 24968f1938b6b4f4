import { from, scan, lastValueFrom, toArray } from "rxjs";
import { describe, expect, it } from "vitest";
import { immer } from "../../src/immer.js";
import {
  completeTask,
  InvalidOrionError,
  mergeOrionReducer,
  mergeOrionStates,
  orion,
  startTask,
  type MergeReport,
  type TaskOrion,
} from "../../src/orion/index.js";

/** fetch → parse → report, plus an independent `notify`. */
const plan = () =>
  orion("o")
    .task("fetch", { params: { url: "u1" } })
    .task("parse", { after: "fetch", params: { format: "csv" } })
    .task("report", { after: "parse" })
    .task("notify")
    .build();

/** The orchestrator's view after fetch completed and parse started. */
const progressed = () => {
  let o = startTask(plan(), "fetch", 10);
  o = completeTask(o, "fetch", { success: true, result: "data" }, 20).orion;
  return startTask(o, "parse", 30);
};

const editTask = (o: TaskOrion, id: string, params: object): TaskOrion =>
  immer.produce(o, (draft) => {
    draft.tasks[id]!.params = params as never;
  });

describe("mergeOrionStates", () => {
  it("keeps the orchestrator's more advanced execution state and the agent's structure", () => {
    const agent = editTask(plan(), "report", { style: "short" }); // the agent saw the plan only
    const orchestrator = progressed();
    const { orion: merged, report } = mergeOrionStates(agent, orchestrator);
    expect(merged.tasks["fetch"]).toEqual(orchestrator.tasks["fetch"]);
    expect(merged.tasks["parse"]).toEqual(orchestrator.tasks["parse"]);
    expect(merged.tasks["report"]!.params).toEqual({ style: "short" });
    expect(merged.state).toBe("executing");
    expect(report).toEqual<MergeReport>({
      preserved: ["fetch", "parse"],
      conflicts: [],
      added: [],
      removed: [],
      newlyReady: [],
    });
  });

  it("lets the agent's strictly more advanced status stand (e.g. it cancelled a pending task)", () => {
    const agent = immer.produce(plan(), (draft) => {
      draft.tasks["notify"]!.status = "cancelled";
    });
    const { orion: merged, report } = mergeOrionStates(agent, plan());
    expect(merged.tasks["notify"]!.status).toBe("cancelled");
    expect(report.preserved).toEqual([]);
  });

  it("keeps the orchestrator's outcome when both say a task finished, differently", () => {
    const orchestrator = completeTask(
      progressed(),
      "parse",
      { success: false, error: "bad csv" },
      40,
    ).orion;
    const agent = immer.produce(orchestrator, (draft) => {
      draft.tasks["parse"]!.status = "completed";
      delete draft.tasks["parse"]!.error;
    });
    const { orion: merged, report } = mergeOrionStates(agent, orchestrator);
    expect(merged.tasks["parse"]).toBe(orchestrator.tasks["parse"]);
    expect(report.conflicts).toEqual([
      {
        kind: "execution_state_differs",
        taskId: "parse",
        agentStatus: "completed",
        orchestratorStatus: "failed",
      },
    ]);
  });

  it("keeps the orchestrator's definition of a started task the agent edited", () => {
    const orchestrator = progressed();
    const agent = immer.produce(plan(), (draft) => {
      draft.tasks["parse"]!.params = { format: "json" };
      draft.tasks["parse"]!.name = "Parse JSON";
      draft.tasks["report"]!.params = { style: "long" }; // still pending: editable
    });
    const { orion: merged, report } = mergeOrionStates(agent, orchestrator);
    expect(merged.tasks["parse"]).toBe(orchestrator.tasks["parse"]);
    expect(merged.tasks["report"]!.params).toEqual({ style: "long" });
    expect(report.conflicts).toEqual([
      { kind: "definition_changed", taskId: "parse", fields: ["name", "params"] },
    ]);
  });

  it("combines the orchestrator's execution with the agent's definition when only one is ahead", () => {
    // The agent edits a pending task; meanwhile the orchestrator marks it waiting_dependency.
    const orchestrator = immer.produce(plan(), (draft) => {
      draft.tasks["report"]!.status = "waiting_dependency";
    });
    const agent = editTask(plan(), "report", { style: "short" });
    const merged = mergeOrionStates(agent, orchestrator).orion.tasks["report"]!;
    expect(merged).toEqual({ ...agent.tasks["report"], status: "waiting_dependency" });
    expect(merged).not.toBe(agent.tasks["report"]);
  });

  it("keeps a started task the agent removed, and says so; drops it on request", () => {
    const orchestrator = progressed();
    const agent = immer.produce(plan(), (draft) => {
      delete draft.tasks["fetch"];
      delete draft.tasks["notify"];
      delete draft.dependencies["fetch->parse"];
    });
    const kept = mergeOrionStates(agent, orchestrator);
    expect(kept.orion.tasks["fetch"]).toBe(orchestrator.tasks["fetch"]);
    expect(kept.orion.tasks).not.toHaveProperty("notify");
    expect(kept.report.conflicts).toEqual([
      { kind: "removed_started_task", taskId: "fetch", status: "completed", resolution: "kept" },
    ]);
    expect(kept.report.removed).toEqual(["notify"]);
    expect(kept.report.preserved).toEqual(["parse", "fetch"]);

    const dropped = mergeOrionStates(agent, orchestrator, { dropRemovedTasks: true });
    expect(dropped.orion.tasks).not.toHaveProperty("fetch");
    expect(dropped.report.removed).toEqual(["fetch", "notify"]);
    expect(dropped.report.conflicts[0]).toMatchObject({ taskId: "fetch", resolution: "dropped" });
  });

  it("reports added tasks and the tasks that became ready because of the merge", () => {
    const orchestrator = completeTask(
      progressed(),
      "parse",
      { success: true, result: 1 },
      40,
    ).orion;
    // The agent adds `summarise` after fetch, and drops report's edge so report can run now.
    const agent = immer.produce(orchestrator, (draft) => {
      draft.tasks["summarise"] = {
        id: "summarise",
        name: "s",
        status: "pending",
        params: {},
        priority: 4,
      };
      draft.dependencies["fetch->summarise"] = {
        id: "fetch->summarise",
        fromTaskId: "fetch",
        toTaskId: "summarise",
        type: "success_only",
      };
      draft.tasks["orphan"] = { id: "orphan", name: "o", status: "pending", params: {} };
      draft.dependencies["parse->orphan"] = {
        id: "parse->orphan",
        fromTaskId: "parse",
        toTaskId: "orphan",
        type: "unconditional",
      };
    });
    const { report } = mergeOrionStates(agent, orchestrator);
    expect(report.added).toEqual(["summarise", "orphan"]);
    expect(report.newlyReady.map((t) => t.id)).toEqual(["summarise", "orphan"]);
  });

  it("counts as newly ready only what the merge itself made ready", () => {
    // Same edges on both sides: parse completed in the orchestrator's orion, not in the agent's.
    const orchestrator = completeTask(
      progressed(),
      "parse",
      { success: true, result: 1 },
      40,
    ).orion;
    const staleAgent = progressed();
    const { orion: merged, report } = mergeOrionStates(staleAgent, orchestrator);
    expect(merged.tasks["parse"]!.status).toBe("completed");
    // report was already ready in the orchestrator's orion: the merge did not make it ready.
    expect(report.newlyReady).toEqual([]);
    // Removing report's only edge does make it ready (parse is still running).
    const withoutEdge = immer.produce(staleAgent, (draft) => {
      delete draft.dependencies["parse->report"];
    });
    const second = mergeOrionStates(withoutEdge, progressed());
    expect(second.report.newlyReady.map((t) => t.id)).toEqual(["report"]);
    // An agent that cancels a task makes its completion_only dependents ready.
    const cancelling = immer.produce(
      orion("o").task("a").task("b", { after: "a", dependencyType: "completion_only" }).build(),
      (draft) => {
        draft.tasks["a"]!.status = "cancelled";
      },
    );
    const before = orion("o")
      .task("a")
      .task("b", { after: "a", dependencyType: "completion_only" })
      .build();
    expect(mergeOrionStates(cancelling, before).report.newlyReady.map((t) => t.id)).toEqual(["b"]);
  });

  it("rejects edits that make the orion invalid, returning the orchestrator's orion unchanged", () => {
    const orchestrator = progressed();
    const cyclic = immer.produce(plan(), (draft) => {
      draft.dependencies["report->fetch"] = {
        id: "report->fetch",
        fromTaskId: "report",
        toTaskId: "fetch",
        type: "success_only",
      };
    });
    const { orion: merged, report } = mergeOrionStates(cyclic, orchestrator);
    expect(merged).toBe(orchestrator);
    expect(report.error).toBeInstanceOf(InvalidOrionError);
    expect(report.error!.errors).toEqual([
      expect.objectContaining({ kind: "cycle", path: ["fetch", "parse", "report", "fetch"] }),
    ]);
    expect(report).toMatchObject({
      preserved: [],
      conflicts: [],
      added: [],
      removed: [],
      newlyReady: [],
    });

    const dangling = immer.produce(plan(), (draft) => {
      delete draft.tasks["parse"];
    });
    const before = plan();
    const second = mergeOrionStates(dangling, before);
    expect(second.orion).toBe(before);
    expect(second.report.error!.errors.map((e) => e.kind)).toEqual([
      "missing_task",
      "missing_task",
    ]);
  });

  it("accepts an agent orion whose edge was dangling until a kept task filled it", () => {
    const orchestrator = progressed();
    // The agent removed fetch but kept its edge: fetch is kept, so the edge is fine.
    const agent = immer.produce(plan(), (draft) => {
      delete draft.tasks["fetch"];
    });
    const { report } = mergeOrionStates(agent, orchestrator);
    expect(report.error).toBeUndefined();
  });

  it("shares structure: unchanged tasks are the agent's objects; no change returns the agent's orion", () => {
    const agent = editTask(plan(), "report", { style: "short" });
    const orchestrator = progressed();
    const { orion: merged } = mergeOrionStates(agent, orchestrator);
    expect(merged.tasks["report"]).toBe(agent.tasks["report"]);
    expect(merged.tasks["notify"]).toBe(agent.tasks["notify"]);
    expect(merged.dependencies).toBe(agent.dependencies);
    expect(merged.tasks["fetch"]).not.toBe(agent.tasks["fetch"]);

    expect(mergeOrionStates(orchestrator, orchestrator).orion).toBe(orchestrator);
    expect(mergeOrionStates(merged, orchestrator).orion).toBe(merged);
    // Equal but separately built orions: still no change, still the agent's own object.
    const copy = JSON.parse(JSON.stringify(merged)) as TaskOrion;
    expect(mergeOrionStates(copy, orchestrator).orion).toBe(copy);
  });

  it("merges orions that went through JSON (no shared objects) like shared ones", () => {
    const agent = editTask(plan(), "report", { style: "short" });
    const orchestrator = progressed();
    const shared = mergeOrionStates(agent, orchestrator);
    const viaJson = mergeOrionStates(JSON.parse(JSON.stringify(agent)) as TaskOrion, orchestrator);
    expect(viaJson.orion).toEqual(shared.orion);
    expect(viaJson.report).toEqual(shared.report);
  });

  it("handles a __proto__ task id in ordinary (JSON.parse) records without polluting anything", () => {
    const json = (status: string) =>
      JSON.parse(
        `{"id":"o","state":"ready","tasks":{"__proto__":{"id":"__proto__","name":"p","status":"${status}","params":{}}},"dependencies":{}}`,
      ) as TaskOrion;
    const { orion: merged, report } = mergeOrionStates(json("pending"), json("running"));
    expect(Object.hasOwn(merged.tasks, "__proto__")).toBe(true);
    expect(merged.tasks["__proto__"]!.status).toBe("running");
    expect(report.preserved).toEqual(["__proto__"]);
    expect(({} as { status?: unknown }).status).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty("status");
  });

  it("stays exact when merging many agent orions against one orchestrator orion", () => {
    // The merge remembers facts about the orchestrator's task record between calls; a later
    // agent that removes a task, or leaves an edge dangling, must still be seen as doing so.
    const orchestrator = plan();
    const same = editTask(plan(), "report", { v: 1 });
    expect(mergeOrionStates(same, orchestrator).report.removed).toEqual([]);
    const withoutNotify = immer.produce(plan(), (draft) => {
      delete draft.tasks["notify"];
    });
    expect(mergeOrionStates(withoutNotify, orchestrator).report.removed).toEqual(["notify"]);
    const dangling = immer.produce(orchestrator, (draft) => {
      delete draft.tasks["report"];
    });
    expect(dangling.dependencies).toBe(orchestrator.dependencies);
    expect(mergeOrionStates(dangling, orchestrator).report.error?.errors).toEqual([
      expect.objectContaining({ kind: "missing_task", taskId: "report", end: "to" }),
    ]);
    expect(mergeOrionStates(same, orchestrator).report.error).toBeUndefined();
    // And the orchestrator's own transitions carry those facts to its next orions correctly.
    const next = startTask(orchestrator, "fetch", 1);
    expect(mergeOrionStates(withoutNotify, next).report.removed).toEqual(["notify"]);
    expect(mergeOrionStates(dangling, next).report.error).toBeDefined();
  });

  it("rejects a task with an unknown status or a key that is not its id", () => {
    // An unknown status on a task both have is overridden by the orchestrator's (level -1 < 0)...
    const staleStatus = immer.produce(plan(), (draft) => {
      draft.tasks["notify"]!.status = "done" as never;
    });
    expect(mergeOrionStates(staleStatus, plan()).orion.tasks["notify"]!.status).toBe("pending");
    // ...but on a task the agent added, it makes the orion invalid.
    const badStatus = immer.produce(plan(), (draft) => {
      draft.tasks["extra"] = { id: "extra", name: "x", status: "done" as never, params: {} };
    });
    expect(mergeOrionStates(badStatus, plan()).report.error?.errors).toEqual([
      expect.objectContaining({ kind: "unknown_status", taskId: "extra", status: "done" }),
    ]);
    const badKey = immer.produce(plan(), (draft) => {
      draft.tasks["notify"]!.id = "other";
    });
    expect(mergeOrionStates(badKey, plan()).report.error?.errors).toEqual([
      expect.objectContaining({ kind: "key_mismatch", key: "notify", id: "other" }),
    ]);
  });

  it("works as a scan reducer, both inline and as mergeOrionReducer", async () => {
    const orchestrator = progressed();
    const edits = [editTask(plan(), "report", { v: 1 }), editTask(plan(), "report", { v: 2 })];
    const inline = await lastValueFrom(
      from(edits).pipe(
        scan((current, agent) => mergeOrionStates(agent, current).orion, orchestrator),
        toArray(),
      ),
    );
    const reports: MergeReport[] = [];
    const reduced = await lastValueFrom(
      from(edits).pipe(
        scan(mergeOrionReducer({ onReport: (r) => reports.push(r) }), orchestrator),
        toArray(),
      ),
    );
    expect(reduced).toEqual(inline);
    expect(inline.map((o) => o.tasks["report"]!.params)).toEqual([{ v: 1 }, { v: 2 }]);
    expect(inline[1]!.tasks["parse"]).toEqual(orchestrator.tasks["parse"]);
    // Each edit came from an agent that had only seen the plan: both merges preserve the same.
    expect(reports.map((r) => r.preserved)).toEqual([
      ["fetch", "parse"],
      ["fetch", "parse"],
    ]);
  });
});
