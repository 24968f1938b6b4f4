import { describe, expect, it } from "vitest";
import { parseOrionEvent } from "../../src/events.js";
import { orion } from "../../src/orion/orion.js";
import {
  DEFAULT_ORION_ID,
  emptyOrion,
  orionCompleted,
  orionFailed,
  orionModified,
  orionStarted,
  taskCompleted,
  taskFailed,
  taskStarted,
} from "../../testing/index.js";

const plan = orion("o2").task("a").build();

describe("the event factories", () => {
  it("make plain events of the default orion, with no optional keys", () => {
    expect(DEFAULT_ORION_ID).toBe("o1");
    expect(taskStarted("a")).toStrictEqual({ type: "TASK_STARTED", orionId: "o1", taskId: "a" });
    expect(taskCompleted("a")).toStrictEqual({
      type: "TASK_COMPLETED",
      orionId: "o1",
      taskId: "a",
    });
    expect(taskFailed("a")).toStrictEqual({ type: "TASK_FAILED", orionId: "o1", taskId: "a" });
    expect(orionCompleted()).toStrictEqual({ type: "ORION_COMPLETED", orionId: "o1" });
    expect(orionFailed()).toStrictEqual({ type: "ORION_FAILED", orionId: "o1" });
    expect(orionModified(["a", "b"])).toStrictEqual({
      type: "ORION_MODIFIED",
      orionId: "o1",
      onTaskIds: ["a", "b"],
    });
    expect(orionStarted()).toStrictEqual({
      type: "ORION_STARTED",
      orionId: "o1",
      orion: emptyOrion(),
    });
  });

  it("take the orion id as a string, or options for every other field", () => {
    expect(taskCompleted("a", "o2").orionId).toBe("o2");
    expect(taskStarted("a", "o2").orionId).toBe("o2");
    expect(orionCompleted("o2").orionId).toBe("o2");
    expect(orionFailed("o2").orionId).toBe("o2");
    const ready = ["b"];
    const event = taskFailed("a", {
      orionId: "o2",
      timestamp: 7,
      result: null,
      error: { message: "HTTP 503" },
      newlyReadyTaskIds: ready,
    });
    expect(event).toStrictEqual({
      type: "TASK_FAILED",
      orionId: "o2",
      taskId: "a",
      timestamp: 7,
      result: null,
      error: { message: "HTTP 503" },
      newlyReadyTaskIds: ["b"],
    });
    expect(event.newlyReadyTaskIds).not.toBe(ready);
  });

  it("orionModified: default orion, orion of newOrion, explicit id, or options", () => {
    expect(orionModified(["a"], plan)).toStrictEqual({
      type: "ORION_MODIFIED",
      orionId: "o2",
      onTaskIds: ["a"],
      newOrion: plan,
    });
    expect(orionModified(["a"], "o3")).toStrictEqual({
      type: "ORION_MODIFIED",
      orionId: "o3",
      onTaskIds: ["a"],
    });
    expect(orionModified(["a"], "o2", plan)).toStrictEqual(orionModified(["a"], plan));
    expect(orionModified(["a"], { newOrion: plan })).toStrictEqual(orionModified(["a"], plan));
    expect(orionModified(["a"], { orionId: "o9" }).orionId).toBe("o9");
    // An inconsistent event on purpose: the explicit id wins.
    expect(orionModified(["a"], { orionId: "o9", newOrion: plan })).toMatchObject({
      orionId: "o9",
      newOrion: plan,
    });
    const ids = ["a"];
    expect(orionModified(ids).onTaskIds).not.toBe(ids);
  });

  it("orionStarted and emptyOrion: the event's id is the orion's", () => {
    expect(orionStarted(plan)).toStrictEqual({ type: "ORION_STARTED", orionId: "o2", orion: plan });
    expect(emptyOrion("x")).toStrictEqual({
      id: "x",
      state: "created",
      tasks: {},
      dependencies: {},
    });
  });

  it("make events that parseOrionEvent accepts as they are", () => {
    const events = [
      taskStarted("a"),
      taskCompleted("a", { timestamp: 1, newlyReadyTaskIds: [] }),
      taskFailed("a", { error: "boom" }),
      orionStarted(plan),
      orionModified(["a"], plan),
      orionModified(["a", "b"]),
      orionCompleted(),
      orionFailed("o2"),
    ];
    for (const event of events) expect(parseOrionEvent(event)).toBe(event);
  });
});
