/**
 * Load: many random orions of 100 tasks driven concurrently by the reference orchestrator
 * through ONE bus and ONE synchronizer, with a scripted agent of random latencies, in virtual
 * time (`runLoad` of `bench/load.ts`, which the benchmark runs at full size). Every orion
 * finishes, no task starts stale, the statistics add up, and nothing is left behind.
 *
 * Size: the issue's 1,000 orions of 100 tasks, in every `npm test` (about 45 s of CPU here, a
 * quarter of it in the `TestScheduler`'s sorted action queue); `npm run bench` reports its
 * figures (section "Leaks and memory").
 */
import { describe, expect, it } from "vitest";
import { runLoad } from "../../bench/load.js";

/** The full load in every `npm test`: about 50 s of one core here. */
const ORIONS = 1_000;
const TASKS = 100;

const activeTimeouts = (): number =>
  process.getActiveResourcesInfo().filter((resource) => resource === "Timeout").length;

describe("load: many orions through one bus and one synchronizer", () => {
  it(`${ORIONS.toLocaleString("en-US")} orions × ${TASKS} tasks: all finish, none starts stale, the statistics add up, nothing is left`, () => {
    const timeouts = activeTimeouts();
    const report = runLoad({ orions: ORIONS, tasks: TASKS, seed: 7 });

    expect(report.orionsCompleted).toBe(ORIONS);
    expect(report.results).toHaveLength(ORIONS);
    for (const result of report.results) {
      expect(result.outcome).toBe("completed");
      expect(result.timings).toHaveLength(TASKS);
      expect(result.blocked).toEqual([]);
    }
    expect(new Set(report.results.map((r) => r.orion.id)).size).toBe(ORIONS);
    expect(report.staleStarts).toBe(0);

    const s = report.statistics;
    expect(
      s.completedModifications + s.timeoutModifications + s.clearedModifications + report.pending,
    ).toBe(s.totalModifications);
    expect(report.pending).toBe(0);
    // One modification per task, every one answered by the agent (none timed out or cleared).
    expect(s.totalModifications).toBe(ORIONS * TASKS);
    expect(s.completedModifications).toBe(ORIONS * TASKS);
    // The orions really ran at once: the run took far less virtual time than one after another.
    const longest = Math.max(...report.results.map((r) => r.endedAt - r.startedAt));
    expect(report.virtualMs).toBeLessThan(2 * longest);

    expect(report.actionsLeft).toBe(0);
    expect(report.stateSubscriptionsLeft).toBe(0);
    expect(activeTimeouts()).toBe(timeouts);
  }, 600_000);

  it("without the gate the same load does start tasks stale (so the check above can fail)", () => {
    const report = runLoad({ orions: 10, tasks: TASKS, seed: 7, gate: false });
    expect(report.orionsCompleted).toBe(10);
    expect(report.staleStarts).toBeGreaterThan(0);
  });
});
