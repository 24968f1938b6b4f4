/**
 * Random DAGs, task durations, agent latencies and edits: with the synchronizer no task
 * ever starts with a definition older than the agent's modification for each of its
 * predecessors, and every orion finishes. Without it, stale starts do happen (checked, so
 * that the property is known to be able to fail).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { orion } from "../../src/orion/orion.js";
import type { TaskOrion } from "../../src/orion/types.js";
import { markDependents } from "../../src/simulation/simulate.js";
import { runs } from "../properties/runs.js";
import { runScenario } from "./scenario.js";

interface Case {
  readonly size: number;
  readonly edges: readonly (readonly [number, number])[];
  readonly durations: readonly number[];
  readonly latencies: readonly number[];
}

const caseArb: fc.Arbitrary<Case> = fc.integer({ min: 2, max: 8 }).chain((size) =>
  fc.record({
    size: fc.constant(size),
    edges: fc.uniqueArray(
      fc.tuple(fc.nat(size - 1), fc.nat(size - 1)).filter(([a, b]) => a < b),
      { maxLength: size * 2, selector: ([a, b]) => `${a}-${b}` },
    ),
    durations: fc.array(fc.integer({ min: 0, max: 60 }), { minLength: size, maxLength: size }),
    latencies: fc.array(fc.integer({ min: 0, max: 120 }), { minLength: 1, maxLength: 6 }),
  }),
);

function build(c: Case): TaskOrion {
  let b = orion("p");
  for (let i = 0; i < c.size; i++) {
    const after = c.edges.filter(([, to]) => to === i).map(([from]) => `t${from}`);
    b = b.task(`t${i}`, after.length > 0 ? { after } : {});
  }
  return b.build();
}

function staleStarts(c: Case, withSync: boolean): { stale: number; finished: boolean } {
  let n = 0;
  const run = runScenario({
    plan: build(c),
    withSync,
    agent: { latency: () => c.latencies[n++ % c.latencies.length] ?? 0, edit: markDependents },
    duration: (id) => c.durations[Number(id.slice(1))] ?? 10,
  });
  let stale = 0;
  for (const timing of run.result.timings) {
    const predecessors = c.edges.filter(([, to]) => `t${to}` === timing.taskId);
    for (const [from] of predecessors) {
      if (timing.definition.params[`after_t${from}`] !== true) stale++;
    }
  }
  return {
    stale,
    finished: run.result.outcome === "completed" && run.result.timings.length === c.size,
  };
}

describe("no stale start, on random orions", () => {
  it("with the synchronizer: never a stale start, and every orion finishes", () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const { stale, finished } = staleStarts(c, true);
        expect(stale).toBe(0);
        expect(finished).toBe(true);
      }),
      { numRuns: runs(200) },
    );
  });

  it("without it: the race shows up (so the property above could fail)", () => {
    const counterexample = fc
      .sample(caseArb, { numRuns: 200, seed: 42 })
      .find((c) => staleStarts(c, false).stale > 0);
    expect(counterexample).toBeDefined();
  });
});
