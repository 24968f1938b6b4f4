import { describe, expect, it } from "vitest";
import { orion } from "../../src/orion/orion.js";
import { simulate, type SimulateOptions } from "../../src/simulation/index.js";
import { wideWorkload } from "../../bench/wideWorkload.js";

// Issue 16 with a concurrent agent (`agentConcurrency`): each completion answered on its own,
// after its own latency; the scoped run stays safe on a wide orion.

const BRANCHES = 4;
const LENGTH = 5;

const { orion: wideOrion, edit, declare, isStale } = wideWorkload(BRANCHES, LENGTH);

const run = (options: Partial<SimulateOptions>, seed: number) =>
  simulate(wideOrion(), {
    gated: true,
    seed,
    agentLatency: [35, 45],
    taskDuration: [20, 30],
    edit,
    declare,
    isStale,
    agentConcurrency: Number.POSITIVE_INFINITY,
    ...options,
  });

describe("simulate with a concurrent agent", () => {
  it("scoped on a wide orion: 0 stale starts, 0 violations, each completion answered alone", () => {
    for (let seed = 1; seed <= 5; seed++) {
      const ungated = run({ gated: false }, seed);
      const scoped = run({ scope: "declared" }, seed);
      expect(ungated.staleStarts).toBeGreaterThan(0); // the race is there to be won
      expect(scoped.outcome).toBe("completed");
      expect(scoped.staleStarts).toBe(0);
      expect(scoped.scopeViolations).toEqual([]);
      // One answer per completion, and answers in flight together (no batching).
      expect(scoped.modifications).toHaveLength(BRANCHES * LENGTH);
      expect(scoped.modifications.every((m) => m.onTaskIds.length === 1)).toBe(true);
      const overlapping = scoped.modifications.some((m, i) =>
        scoped.modifications.some(
          (n, j) => i !== j && n.startedAt < m.publishedAt && m.startedAt < n.publishedAt,
        ),
      );
      expect(overlapping).toBe(true);
      // Answered in parallel, the report waits about one latency: sooner than the batching agent.
      const batching = run({ scope: "declared", agentConcurrency: 1 }, seed);
      expect(batching.staleStarts).toBe(0);
      expect(scoped.lastTaskEndedAt).toBeLessThanOrEqual(batching.lastTaskEndedAt);
    }
  });

  it("marks dependents one completion per answer with the default edit", () => {
    // a, b and c end together: the batching agent would answer [a], then [b, c].
    const o = orion("d")
      .task("a")
      .task("b")
      .task("c")
      .task("d", { after: ["a", "b", "c"] })
      .build();
    for (const scope of [undefined, "declared"] as const) {
      const r = simulate(o, {
        gated: true,
        ...(scope === undefined ? {} : { scope }),
        seed: 3,
        agentLatency: [10, 40],
        taskDuration: [5, 5],
        agentConcurrency: 2,
      });
      expect(r.staleStarts).toBe(0);
      expect(r.modifications.map((m) => m.onTaskIds.length)).toEqual([1, 1, 1, 1]);
    }
  });

  it("refuses an agentConcurrency that is not a positive integer or Infinity", () => {
    for (const agentConcurrency of [0, -2, 2.5, Number.NaN]) {
      expect(() => run({ agentConcurrency }, 1)).toThrow(RangeError);
    }
  });
});
