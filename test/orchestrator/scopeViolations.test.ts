import { describe, expect, it } from "vitest";
import { refOf, scopeViolationsIn } from "../../src/orchestrator/scopeViolations.js";
import type { MergeConflict, MergeReport } from "../../src/orion/mergeOrionStates.js";
import type { PendingEntry, PendingScope } from "../../src/pending/PendingState.js";

/** A completed modification of task `taskId`, number `seq`, holding `scope`. */
function entry(taskId: string, seq: number, scope: PendingScope, eventId?: string): PendingEntry {
  return {
    phase: "pending",
    orionId: "o",
    taskId,
    cause: "TASK_COMPLETED",
    registeredAt: 0,
    deadline: 100,
    ...(eventId === undefined ? {} : { eventId }),
    seq,
    later: [],
    restarted: false,
    scope,
    declared: false,
    overdue: false,
  };
}

/** Scope `ids`, with every task of the orion (`a` to `e`) known when it registered. */
const tasks = (...ids: string[]): PendingScope => ({
  taskIds: new Set(ids),
  base: { a: 1, b: 1, c: 1, d: 1, e: 1 },
});

const report = (...conflicts: MergeConflict[]): MergeReport => ({
  preserved: [],
  conflicts,
  added: [],
  removed: [],
  newlyReady: [],
});

const changed = (taskId: string): MergeConflict => ({
  kind: "definition_changed",
  taskId,
  fields: ["params"],
});
const removed = (taskId: string): MergeConflict => ({
  kind: "removed_started_task",
  taskId,
  status: "running",
  resolution: "kept",
});

const at = (): number => 42;

describe("scopeViolationsIn", () => {
  it("reports a changed or removed started task outside every answered scope", () => {
    const answers = [entry("a", 1, tasks("b"))];
    expect(scopeViolationsIn(report(changed("c"), removed("d")), answers, new Set(), at)).toEqual([
      {
        taskId: "c",
        change: "definition_changed",
        fields: ["params"],
        modification: { taskId: "a", seq: 1 },
        at: 42,
      },
      { taskId: "d", change: "removed", modification: { taskId: "a", seq: 1 }, at: 42 },
    ]);
  });

  it("accepts a change inside any answered scope, or to a task the agent added", () => {
    const answers = [entry("a", 1, tasks("b")), entry("c", 2, tasks("d"))];
    const added = changed("new");
    expect(
      scopeViolationsIn(report(changed("b"), changed("d"), added), answers, new Set(), at),
    ).toEqual([]);
  });

  it("checks nothing without an answer, or when an answer had the whole orion in scope", () => {
    expect(scopeViolationsIn(report(changed("c")), [], new Set(), at)).toEqual([]);
    const answers = [entry("a", 1, tasks("b")), entry("e", 2, "orion")];
    expect(scopeViolationsIn(report(changed("c")), answers, new Set(), at)).toEqual([]);
  });

  it("ignores differing execution states: the orchestrator's outcome stands, nothing changed", () => {
    const conflict: MergeConflict = {
      kind: "execution_state_differs",
      taskId: "c",
      agentStatus: "completed",
      orchestratorStatus: "failed",
    };
    expect(scopeViolationsIn(report(conflict), [entry("a", 1, tasks())], new Set(), at)).toEqual(
      [],
    );
  });

  it("reports a task once: not again if already reported, nor twice in one report", () => {
    const answers = [entry("a", 1, tasks())];
    expect(scopeViolationsIn(report(changed("c")), answers, new Set(["c"]), at)).toEqual([]);
    const twice = scopeViolationsIn(report(changed("c"), removed("c")), answers, new Set(), at);
    expect(twice.map((v) => v.change)).toEqual(["definition_changed"]);
  });

  it("names the oldest answered modification", () => {
    const answers = [entry("b", 5, tasks(), "e5"), entry("a", 3, tasks(), "e3")];
    const [violation] = scopeViolationsIn(report(changed("c")), answers, new Set(), at);
    expect(violation?.modification).toEqual({ taskId: "a", eventId: "e3", seq: 3 });
  });
});

describe("refOf", () => {
  it("names a modification by task, event id (if any) and number", () => {
    expect(refOf(entry("a", 1, "orion"))).toEqual({ taskId: "a", seq: 1 });
    expect(refOf(entry("a", 2, "orion", "ev"))).toEqual({ taskId: "a", eventId: "ev", seq: 2 });
  });
});
