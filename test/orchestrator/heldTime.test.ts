import { describe, expect, it } from "vitest";
import { createHeldTime } from "../../src/orchestrator/heldTime.js";

/** A held-time counter on a clock the test moves. */
function clocked() {
  let t = 0;
  const held = createHeldTime(() => t);
  return { held, at: (ms: number) => (t = ms) };
}

describe("createHeldTime", () => {
  it("counts a trigger's wait at the gate once it ends", () => {
    const { held, at } = clocked();
    at(10);
    held.triggerWaiting(true);
    at(25);
    expect(held.ms).toBe(0);
    held.triggerWaiting(false);
    expect(held.ms).toBe(15);
  });

  it("counts overlapping reasons to be held once", () => {
    const { held, at } = clocked();
    held.triggerWaiting(true);
    at(5);
    held.tasksHeld(new Set(["a"]));
    at(10);
    held.triggerWaiting(false);
    at(30);
    held.tasksHeld(new Set());
    expect(held.ms).toBe(30);
  });

  it("records each task's hold when it ends, and none that lasted no time", () => {
    const { held, at } = clocked();
    at(5);
    held.tasksHeld(new Set(["a", "b"]));
    held.tasksHeld(new Set(["a"])); // b's hold ends at once: not recorded
    at(20);
    held.tasksHeld(new Set(["a", "c"]));
    at(30);
    held.endTaskHolds();
    expect(held.taskHolds).toEqual([
      { taskId: "a", from: 5, to: 30 },
      { taskId: "c", from: 20, to: 30 },
    ]);
    expect(held.ms).toBe(25);
  });
});
