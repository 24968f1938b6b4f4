import { describe, expect, it } from "vitest";
import {
  deriveOrionState,
  isComplete,
  isTaskModifiable,
  isTerminalStatus,
  orion,
  statusLevel,
  taskStatuses,
  type TaskStatus,
} from "../../src/orion/index.js";

const withStatuses = (...statuses: TaskStatus[]) => {
  let builder = orion("o");
  statuses.forEach((status, i) => (builder = builder.task(`t${i}`, { status })));
  return builder.build();
};

describe("deriveOrionState", () => {
  it.each([
    [[], "created"],
    [["pending"], "ready"],
    [["pending", "waiting_dependency"], "ready"],
    [["pending", "running"], "executing"],
    [["pending", "completed"], "executing"],
    [["pending", "failed"], "ready"],
    [["completed", "completed"], "completed"],
    [["completed", "cancelled"], "completed"],
    [["failed", "failed"], "failed"],
    [["failed", "cancelled"], "failed"],
    [["completed", "failed"], "partially_failed"],
    [["completed", "failed", "cancelled"], "partially_failed"],
    [["cancelled", "cancelled"], "cancelled"],
  ] as const)("%j gives %s", (statuses, state) => {
    expect(deriveOrionState(withStatuses(...statuses))).toBe(state);
  });

  it("is what the builder puts in state", () => {
    expect(withStatuses("running").state).toBe("executing");
    expect(orion("o", { state: "cancelled" }).task("a").build().state).toBe("cancelled");
  });
});

describe("isComplete", () => {
  it("needs at least one task, all terminal", () => {
    expect(isComplete(withStatuses())).toBe(false);
    expect(isComplete(withStatuses("completed", "failed", "cancelled"))).toBe(true);
    expect(isComplete(withStatuses("completed", "running"))).toBe(false);
    expect(isComplete(withStatuses("completed", "pending"))).toBe(false);
  });
});

describe("task status helpers", () => {
  it("isTaskModifiable: only before the task starts", () => {
    const modifiable = taskStatuses.filter((status) => isTaskModifiable({ status }));
    expect(modifiable).toEqual(["pending", "waiting_dependency"]);
  });

  it("isTerminalStatus: completed, failed, cancelled", () => {
    expect(taskStatuses.filter(isTerminalStatus)).toEqual(["completed", "failed", "cancelled"]);
  });

  it("statusLevel orders pending < waiting_dependency < running < terminal", () => {
    expect(taskStatuses.map(statusLevel)).toEqual([0, 1, 2, 3, 3, 3]);
    expect(statusLevel("bogus" as TaskStatus)).toBe(-1);
  });
});
