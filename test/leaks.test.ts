/**
 * The synchronizer leaks no timers: the Python original sleeps one timer per modification for
 * ten minutes; ours keeps one timer armed at the earliest deadline, none when nothing is
 * pending, and none after `dispose()`. Real timers (default `asyncScheduler`); each check is
 * synchronous from its baseline on, so no other code can start or stop a timer in between.
 */
import { describe, expect, it } from "vitest";
import { OrionModificationSynchronizer } from "../src/synchronizer.js";
import { orionModified, taskCompleted } from "./support/events.js";

const activeTimeouts = (): number =>
  process.getActiveResourcesInfo().filter((resource) => resource === "Timeout").length;

/** Checks that the statistics add up, and returns them with the pending count. */
function balance(sync: OrionModificationSynchronizer) {
  const stats = sync.getStatistics();
  const pending = sync.getPendingCount();
  expect(
    stats.completedModifications +
      stats.timeoutModifications +
      stats.clearedModifications +
      pending,
  ).toBe(stats.totalModifications);
  return { ...stats, pending };
}

describe("timers and statistics of the synchronizer", () => {
  it("100,000 register/complete cycles leave no timer behind", () => {
    const before = activeTimeouts();
    const sync = new OrionModificationSynchronizer();
    for (let i = 0; i < 100_000; i++) {
      const taskId = `t${i}`;
      sync.onEvent(taskCompleted(taskId));
      if (i === 0) expect(activeTimeouts()).toBe(before + 1);
      sync.onEvent(orionModified([taskId]));
    }
    expect(activeTimeouts()).toBe(before);
    expect(balance(sync)).toMatchObject({
      totalModifications: 100_000,
      completedModifications: 100_000,
      pending: 0,
    });
    sync.dispose();
    expect(activeTimeouts()).toBe(before);
  });

  it("10,000 pending entries hold one timer, and dispose() cancels it", () => {
    const before = activeTimeouts();
    const sync = new OrionModificationSynchronizer();
    for (let i = 0; i < 12_000; i++) sync.onEvent(taskCompleted(`t${i}`));
    sync.onEvent(orionModified(Array.from({ length: 2_000 }, (_, i) => `t${i}`)));
    expect(activeTimeouts()).toBe(before + 1);
    expect(balance(sync)).toMatchObject({
      totalModifications: 12_000,
      completedModifications: 2_000,
      pending: 10_000,
    });
    sync.dispose();
    expect(activeTimeouts()).toBe(before);
    expect(balance(sync)).toMatchObject({ pending: 10_000 });
  });

  it("the statistics still add up after answers and a clear, and the timer follows what is pending", () => {
    const before = activeTimeouts();
    const sync = new OrionModificationSynchronizer();
    for (let i = 0; i < 10_000; i++) {
      sync.onEvent(taskCompleted(`a${i}`));
      if (i % 2 === 0) sync.onEvent(orionModified([`a${i}`]));
    }
    sync.clearPendingModifications();
    for (let i = 0; i < 3_000; i++) sync.onEvent(taskCompleted(`b${i}`));
    expect(activeTimeouts()).toBe(before + 1);
    expect(balance(sync)).toMatchObject({
      totalModifications: 13_000,
      completedModifications: 5_000,
      clearedModifications: 5_000,
      pending: 3_000,
    });
    sync.dispose();
    expect(activeTimeouts()).toBe(before);
  });
});
