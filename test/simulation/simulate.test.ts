import { describe, expect, it } from "vitest";
import { InvalidOrionError } from "../../src/orion/errors.js";
import { orion } from "../../src/orion/orion.js";
import {
  DEMO_DEFAULTS,
  DEMO_INSERTED_TASK,
  demoEdit,
  demoOrion,
  simulate,
  type SimulationProgress,
} from "../../src/simulation/index.js";
import { mulberry32 } from "../../src/simulation/random.js";

const demo = (gated: boolean, seed = DEMO_DEFAULTS.seed) =>
  simulate(demoOrion(), { ...DEMO_DEFAULTS, seed, gated, edit: demoEdit });

describe("mulberry32", () => {
  it("is deterministic for a seed and stays in [0, 1)", () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    for (let i = 0; i < 100; i++) {
      const x = a();
      expect(x).toBe(b());
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
    }
    expect(mulberry32(8)()).not.toBe(mulberry32(7)());
  });
});

describe("simulate", () => {
  it("is deterministic for a seed", () => {
    expect(demo(true, 3)).toEqual(demo(true, 3));
    expect(demo(false, 3)).toEqual(demo(false, 3));
    expect(JSON.stringify(demo(true, 3))).not.toBe(JSON.stringify(demo(true, 4)));
  });

  it("on the demo: stale starts without the gate, none with it, and the agent's edits run", () => {
    for (let seed = 0; seed < 20; seed++) {
      const without = demo(false, seed);
      const withGate = demo(true, seed);
      expect(without.staleStarts).toBeGreaterThan(0);
      expect(withGate.staleStarts).toBe(0);
      expect(withGate.outcome).toBe("completed");
      expect(withGate.timeouts).toBe(0);
      expect(withGate.tasks.map((t) => t.id)).toContain(DEMO_INSERTED_TASK);
      expect(withGate.tasks.every((t) => t.status === "completed")).toBe(true);
      expect(withGate.heldMs).toBeGreaterThan(0);
      expect(without.heldMs).toBe(0);
      expect(without.held).toEqual([]);
    }
  });

  it("fills the report consistently", () => {
    const r = demo(true);
    expect(r.gated).toBe(true);
    expect(r.orionId).toBe("demo");
    expect(r.orionName).toBe("Customer analytics (demo)");
    expect(r.staleStarts).toBe(r.tasks.filter((t) => t.stale).length);
    expect(r.heldMs).toBe(r.held.reduce((s, h) => s + h.to - h.from, 0));
    expect(r.modifications.length).toBeGreaterThan(0);
    for (const m of r.modifications) {
      expect(m.publishedAt).toBeGreaterThanOrEqual(m.startedAt);
      expect(m.publishedAt - m.startedAt).toBeGreaterThanOrEqual(DEMO_DEFAULTS.agentLatency[0]);
    }
    for (const t of r.tasks) {
      expect(t.startedAt).toBeDefined();
      expect(t.endedAt).toBeLessThanOrEqual(r.makespan);
      const ms = (t.endedAt ?? 0) - (t.startedAt ?? 0);
      expect(ms).toBeGreaterThanOrEqual(DEMO_DEFAULTS.taskDuration[0]);
      expect(ms).toBeLessThanOrEqual(DEMO_DEFAULTS.taskDuration[1]);
    }
  });

  it("counts timeouts when the agent is slower than the modification timeout", () => {
    const r = simulate(demoOrion(), {
      gated: true,
      seed: 1,
      agentLatency: [500, 500],
      taskDuration: [10, 10],
      modificationTimeout: 100,
    });
    expect(r.timeouts).toBeGreaterThan(0);
    expect(r.outcome).toBe("completed");
  });

  it("rejects an invalid orion and bad ranges", () => {
    const cyclic = orion("c").task("a", { after: "b" }).task("b", { after: "a" }).build();
    const options = { gated: true, seed: 1, agentLatency: [1, 2], taskDuration: [1, 2] } as const;
    expect(() => simulate(cyclic, options)).toThrow(InvalidOrionError);
    expect(() => simulate(demoOrion(), { ...options, agentLatency: [5, 1] })).toThrow(RangeError);
    expect(() => simulate(demoOrion(), { ...options, taskDuration: [-1, 1] })).toThrow(RangeError);
  });
});

describe("simulate's progress", () => {
  it("reports as virtual time advances, ending with every task done, and changes nothing", () => {
    const options = {
      gated: true,
      seed: 5,
      agentLatency: [20, 60],
      taskDuration: [10, 50],
    } as const;
    const seen: SimulationProgress[] = [];
    const live = simulate(demoOrion(), {
      ...options,
      edit: demoEdit,
      onProgress: (p) => seen.push(p),
    });
    const quiet = simulate(demoOrion(), { ...options, edit: demoEdit });
    expect(live).toEqual(quiet);
    expect(seen.length).toBeGreaterThan(5);
    const elapsed = seen.map((p) => p.elapsed);
    expect(elapsed).toEqual([...elapsed].sort((a, b) => a - b));
    expect(seen.some((p) => p.pending > 0)).toBe(true);
    const last = seen.at(-1);
    expect(last?.done).toBe(last?.total);
    expect(last?.heldMs).toBe(live.heldMs);
  });
});
