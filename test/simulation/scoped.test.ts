import { describe, expect, it } from "vitest";
import type { AgentEdit } from "../../src/agent/index.js";
import { orion } from "../../src/orion/orion.js";
import { DEMO_DEFAULTS, demoEdit, demoOrion, simulate } from "../../src/simulation/index.js";

// Issue 16 in the simulation: the scoped run, honest makespans, violations as stale starts.

const demo = (options: Partial<Parameters<typeof simulate>[1]>, seed = DEMO_DEFAULTS.seed) =>
  simulate(demoOrion(), { ...DEMO_DEFAULTS, seed, gated: true, edit: demoEdit, ...options });

describe("simulate, scoped runs", () => {
  it("on the demo: no stale start, no violation, sooner than the whole-orion gate", () => {
    for (let seed = 0; seed < 10; seed++) {
      const whole = demo({}, seed);
      for (const scope of ["declared", "downstream"] as const) {
        const scoped = demo({ scope }, seed);
        expect(scoped.scope).toBe(scope);
        expect(scoped.staleStarts).toBe(0);
        expect(scoped.scopeViolations).toEqual([]);
        expect(scoped.outcome).toBe("completed");
        expect(scoped.lastTaskEndedAt).toBeLessThan(whole.lastTaskEndedAt);
        expect(scoped.taskHolds.length).toBeGreaterThan(0);
        // Held periods are the union of the per-task holds.
        for (const h of scoped.taskHolds) {
          expect(scoped.held.some((p) => p.from <= h.from && h.to <= p.to)).toBe(true);
        }
        expect(scoped.heldMs).toBe(scoped.held.reduce((s, h) => s + h.to - h.from, 0));
      }
    }
  });

  it("reports the last task's end and the last answer apart", () => {
    const ungated = demo({ gated: false });
    const whole = demo({});
    expect(ungated.makespan).toBe(ungated.lastTaskEndedAt);
    expect(ungated.lastAnswerAt).toBeGreaterThan(ungated.lastTaskEndedAt);
    expect(whole.makespan).toBe(whole.lastAnswerAt);
    expect(whole.lastTaskEndedAt).toBe(Math.max(...whole.tasks.map((t) => t.endedAt ?? 0)));
    expect(whole.taskHolds).toEqual([]);
  });

  it("counts a scope violation as a stale start", () => {
    // x → a → b, c → d. x and c end at 10 (answered at 40: a and d start); a ends at 50, and
    // the answer to it edits d, which has run, outside a's declared scope {b}.
    const o = orion("v")
      .task("x")
      .task("a", { after: "x" })
      .task("b", { after: "a" })
      .task("c")
      .task("d", { after: "c" })
      .build();
    const edit: AgentEdit = (event, view) => {
      if (view === undefined) return undefined;
      const tasks = { ...view.tasks };
      for (const dep of Object.values(view.dependencies)) {
        if (dep.fromTaskId === event.taskId) {
          const t = tasks[dep.toTaskId]!;
          tasks[dep.toTaskId] = { ...t, params: { ...t.params, [`after_${event.taskId}`]: true } };
        }
      }
      if (event.taskId === "a")
        tasks["d"] = { ...tasks["d"]!, params: { ...tasks["d"]!.params, late: 1 } };
      return { ...view, tasks };
    };
    const r = simulate(o, {
      gated: true,
      scope: "declared",
      seed: 1,
      agentLatency: [30, 30],
      taskDuration: [10, 10],
      edit,
    });
    expect(r.scopeViolations.map((v) => [v.taskId, v.change, v.onTaskId])).toEqual([
      ["d", "definition_changed", "a"],
    ]);
    expect(r.tasks.find((t) => t.id === "d")?.stale).toBe(true);
    expect(r.staleStarts).toBe(1);
  });

  it("refuses an unknown scope", () => {
    expect(() => demo({ scope: "everything" as unknown as "declared" })).toThrow(RangeError);
  });
});
