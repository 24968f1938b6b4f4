// simulate with a concurrent agent: stale starts over random DAGs.
import fc from "fast-check";
import { runs } from "../properties/runs.js";
import { describe, expect, it } from "vitest";
import { orion } from "../../src/orion/orion.js";
import type { TaskOrion } from "../../src/orion/types.js";
import { simulate, type SimulateOptions } from "../../src/simulation/index.js";

const dagArb = fc
  .integer({ min: 1, max: 12 })
  .chain((n) =>
    fc.tuple(
      fc.constant(n),
      fc.array(fc.array(fc.boolean(), { minLength: n, maxLength: n }), {
        minLength: n,
        maxLength: n,
      }),
    ),
  )
  .map(([n, adj]) => {
    let b = orion("dag");
    const preds: string[][] = [];
    for (let j = 0; j < n; j++) {
      const after: string[] = [];
      for (let i = 0; i < j; i++) if (adj[i]![j]) after.push(`t${i}`);
      preds.push(after);
      b = b.task(`t${j}`, after.length === 0 ? {} : { after });
    }
    return { orion: b.build(), preds };
  });

const rangeArb = fc
  .tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 30 }))
  .map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const);

describe("simulate with agentConcurrency", () => {
  it("gated and scoped runs: 0 stale starts, 0 violations, one answer per completion; ungated stale consistent with answer times", () => {
    fc.assert(
      fc.property(
        dagArb,
        fc.constantFrom(2, 3, Number.POSITIVE_INFINITY),
        fc.integer({ min: 1, max: 1_000_000 }),
        rangeArb,
        rangeArb,
        (
          { orion: o, preds }: { orion: TaskOrion; preds: string[][] },
          agentConcurrency,
          seed,
          agentLatency,
          taskDuration,
        ) => {
          const base: SimulateOptions = {
            gated: true,
            seed,
            agentLatency,
            taskDuration,
            agentConcurrency,
          };
          for (const scope of [undefined, "downstream", "declared"] as const) {
            const r = simulate(o, { ...base, ...(scope === undefined ? {} : { scope }) });
            expect({ scope, stale: r.staleStarts, outcome: r.outcome }).toEqual({
              scope,
              stale: 0,
              outcome: "completed",
            });
            expect(r.scopeViolations).toEqual([]);
            expect(r.timeouts).toBe(0);
            expect(r.modifications.length).toBe(Object.keys(o.tasks).length);
            expect(r.modifications.every((m) => m.onTaskIds.length === 1)).toBe(true);
          }
          const u = simulate(o, { ...base, gated: false });
          expect(u.outcome).toBe("completed");
          const answeredAt = new Map<string, number>();
          for (const m of u.modifications) answeredAt.set(m.onTaskIds[0]!, m.publishedAt);
          let expectedStale = 0;
          let ambiguous = false;
          u.tasks.forEach((t) => {
            const j = Number(t.id.slice(1));
            const late = preds[j]!.map((p) => answeredAt.get(p)!);
            if (late.some((at) => at === t.startedAt)) {
              ambiguous = true;
              return;
            }
            const stale = late.some((at) => at > t.startedAt!);
            if (stale) expectedStale++;
            expect({ id: t.id, stale: t.stale }).toEqual({ id: t.id, stale });
          });
          if (!ambiguous) expect(u.staleStarts).toBe(expectedStale);
        },
      ),
      { numRuns: runs(40) },
    );
  });
});
