import { describe, expect, it } from "vitest";
import { DEMO_DEFAULTS, demoEdit, demoOrion, simulate } from "../../src/simulation/index.js";
import { renderTimeline } from "../../src/timeline/renderTimeline.js";

// Issue 16: the scoped run's holds are drawn in the lanes of the tasks they held, and every
// section gives the last task's end and the last answer apart.

const run = (gated: boolean, scope?: "declared") =>
  simulate(demoOrion(), {
    ...DEMO_DEFAULTS,
    gated,
    edit: demoEdit,
    ...(scope === undefined ? {} : { scope }),
  });

describe("renderTimeline, scoped runs", () => {
  it("draws one hold per task lane, not across the chart, and titles the section", () => {
    const scoped = run(true, "declared");
    const whole = run(true);
    const svg = renderTimeline([run(false), whole, scoped], "svg");
    const sections = svg.split('<g class="report"').slice(1);
    expect(sections).toHaveLength(3);
    const [, wholeSvg, scopedSvg] = sections as [string, string, string];
    expect(scopedSvg).toContain('data-scope="declared"');
    expect(scopedSvg).toContain("scoped (declared)");
    const perTask = scopedSvg.match(/class="held task-hold"/g) ?? [];
    expect(perTask).toHaveLength(scoped.taskHolds.length);
    expect(scopedSvg).not.toMatch(/class="held"[^>]*height="/);
    // A hold is one lane high: its height is less than two lanes.
    const heights = [...scopedSvg.matchAll(/class="held task-hold"[^>]*height="([\d.]+)"/g)].map(
      (m) => Number(m[1]),
    );
    expect(heights.every((h) => h < 24)).toBe(true);
    // The whole-orion gate still shades across every lane.
    expect(wholeSvg).toMatch(/class="held"/);
    expect(wholeSvg).not.toContain("task-hold");
    for (const r of [whole, scoped]) {
      expect(svg).toContain(`last task ended ${r.lastTaskEndedAt} ms`);
      expect(svg).toContain(`last answer ${r.lastAnswerAt} ms`);
    }
    expect(scopedSvg).toContain("0 scope violation(s)");
  });
});
