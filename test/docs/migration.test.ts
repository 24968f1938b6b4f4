/**
 * Two of the behaviour differences that docs/migrating-from-python.md claims and no other
 * test states directly: waiting schedules no polling, and the merge mutates nothing.
 */
import { describe, expect, it } from "vitest";
import type { OrionEvent } from "../../src/events.js";
import { orion } from "../../src/orion/orion.js";
import type { TaskOrion } from "../../src/orion/types.js";
import { OrionModificationSynchronizer } from "../../src/synchronizer.js";
import { trackingScheduler } from "../support/trackingScheduler.js";
import { peek, virtualTime } from "../support/virtualTime.js";

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

describe("migrating from Python: behaviour differences", () => {
  it("a 10-minute wait schedules its timers once, not a poll every 10 ms", async () => {
    const { scheduler: virtual, advance } = virtualTime();
    const scheduler = trackingScheduler(virtual);
    const synchronizer = new OrionModificationSynchronizer({ scheduler });
    synchronizer.onEvent({ type: "TASK_COMPLETED", orionId: "o", taskId: "a" });
    const wait = synchronizer.waitForPendingModifications();
    const atStart = scheduler.scheduled();
    expect(atStart).toBeLessThanOrEqual(3); // the fold's timer and the wait's, nothing per tick
    advance(600_000 - 1);
    expect(await peek(wait)).toBe("unsettled");
    expect(scheduler.scheduled()).toBe(atStart); // nothing scheduled while waiting
    synchronizer.onEvent({ type: "ORION_MODIFIED", orionId: "o", onTaskIds: ["a"] });
    expect(await wait).toBe(true);
    expect(scheduler.live()).toBe(0); // all cancelled once nothing is pending
    synchronizer.dispose();
  });

  it("mergeAndSyncOrionStates mutates neither orion", () => {
    const synchronizer = new OrionModificationSynchronizer();
    const plan = orion("o")
      .task("a")
      .task("b", { after: "a", params: { v: 1 } })
      .build();
    const agent: TaskOrion = deepFreeze(
      orion("o")
        .task("a")
        .task("b", { after: "a", params: { v: 2 } })
        .task("c", { after: "b" })
        .build(),
    );
    const orchestrator: TaskOrion = deepFreeze(
      orion("o")
        .task("a", { status: "completed", result: "ok" })
        .task("b", { after: "a", params: { v: 1 } })
        .build(),
    );
    const before = JSON.stringify([agent, orchestrator]);
    const events: OrionEvent[] = [
      { type: "ORION_STARTED", orionId: "o", orion: plan },
      { type: "ORION_MODIFIED", orionId: "o", onTaskIds: ["a"], newOrion: agent },
    ];
    for (const event of events) synchronizer.onEvent(event);
    // A write to a frozen object throws in module code: any in-place update would fail here.
    const merged = synchronizer.mergeAndSyncOrionStates(orchestrator);
    expect(JSON.stringify([agent, orchestrator])).toBe(before);
    expect(merged.tasks["a"]?.status).toBe("completed");
    expect(merged.tasks["b"]?.params).toEqual({ v: 2 });
    expect(Object.keys(merged.tasks)).toEqual(["a", "b", "c"]);
    expect(synchronizer.getCurrentOrion("o")).toBe(merged);
    synchronizer.dispose();
  });
});
