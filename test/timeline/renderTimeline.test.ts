import { writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { SimulatedTask, SimulationReport } from "../../src/simulation/types.js";
import {
  formatTick,
  GROUP_FROM,
  groupLanes,
  laneLabel,
  niceTickStep,
  renderTimeline,
  taskLevels,
} from "../../src/timeline/index.js";

// ---- A tiny XML well-formedness checker (no dependency) ----------------------------------------

const NAME = "[A-Za-z_:][-A-Za-z0-9_:.]*";
const ATTR = `\\s+${NAME}\\s*=\\s*(?:"[^"<]*"|'[^'<]*')`;
const START_TAG = new RegExp(`^<(${NAME})((?:${ATTR})*)\\s*(/?)>`);
const END_TAG = new RegExp(`^</(${NAME})\\s*>`);
const ENTITY = /&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g;

/** Throws if `xml` is not well-formed (balanced tags, quoted attributes, known entities only). */
function assertWellFormed(xml: string): void {
  let rest = xml.replace(/^<\?xml[^?]*\?>\s*/, "");
  const stack: string[] = [];
  let roots = 0;
  while (rest.length > 0) {
    if (rest.startsWith("<!--")) {
      const end = rest.indexOf("-->");
      if (end < 0) throw new Error("unterminated comment");
      rest = rest.slice(end + 3);
    } else if (rest.startsWith("</")) {
      const m = END_TAG.exec(rest);
      if (m === null) throw new Error(`bad end tag near ${rest.slice(0, 40)}`);
      const open = stack.pop();
      if (open !== m[1]) throw new Error(`</${m[1]}> closes <${open ?? "nothing"}>`);
      rest = rest.slice(m[0].length);
    } else if (rest.startsWith("<")) {
      const m = START_TAG.exec(rest);
      if (m === null) throw new Error(`bad start tag near ${rest.slice(0, 60)}`);
      const attrNames = [...(m[2] ?? "").matchAll(new RegExp(`\\s+(${NAME})\\s*=`, "g"))].map(
        (a) => a[1],
      );
      if (new Set(attrNames).size !== attrNames.length) throw new Error(`duplicate attribute`);
      for (const value of (m[2] ?? "").matchAll(/=\s*(?:"([^"]*)"|'([^']*)')/g)) {
        checkText(value[1] ?? value[2] ?? "");
      }
      if (stack.length === 0) roots++;
      if (m[3] !== "/") stack.push(m[1] ?? "");
      rest = rest.slice(m[0].length);
    } else {
      const next = rest.indexOf("<");
      const chunk = next < 0 ? rest : rest.slice(0, next);
      if (stack.length === 0 && chunk.trim() !== "") throw new Error("text outside the root");
      checkText(chunk);
      rest = next < 0 ? "" : rest.slice(next);
    }
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack.join("> <")}>`);
  if (roots !== 1) throw new Error(`${roots} root elements`);
}

function checkText(chunk: string): void {
  if (chunk.replace(ENTITY, "").includes("&")) throw new Error(`bare & in ${chunk}`);
  if (chunk.includes("<")) throw new Error(`bare < in ${chunk}`);
}

function count(haystack: string, pattern: RegExp): number {
  return [...haystack.matchAll(pattern)].length;
}

// ---- Fixtures ----------------------------------------------------------------------------------

function task(
  id: string,
  name: string,
  startedAt?: number,
  endedAt?: number,
  stale = false,
): SimulatedTask {
  return {
    id,
    name,
    status: startedAt === undefined ? "pending" : "completed",
    ...(startedAt === undefined ? {} : { startedAt }),
    ...(endedAt === undefined ? {} : { endedAt }),
    stale,
  };
}

/** The issue-16 fields, for hand-made reports of runs without scopes. */
const honest = { lastTaskEndedAt: 0, lastAnswerAt: 0, scopeViolations: [], taskHolds: [] };

const ungated: SimulationReport = {
  orionId: "orion-1",
  orionName: "demo",
  gated: false,
  seed: 7,
  tasks: [
    task("a", "fetch", 0, 120),
    task("b", "parse", 120, 300, true),
    task("c", "summarise", 130, 260, true),
    task("d", "never", undefined, undefined),
  ],
  modifications: [{ onTaskIds: ["a"], startedAt: 120, publishedAt: 200 }],
  held: [],
  staleStarts: 2,
  makespan: 300,
  heldMs: 0,
  timeouts: 0,
  ...honest,
  outcome: "completed",
};

const gated: SimulationReport = {
  ...ungated,
  gated: true,
  tasks: [
    task("a", "fetch", 0, 120),
    task("b", "parse", 200, 380),
    task("c", "summarise", 200, 330),
    task("d", "never", undefined, undefined),
  ],
  held: [{ from: 120, to: 200 }],
  staleStarts: 0,
  makespan: 380,
  heldMs: 80,
};

/** The picture looked at by hand: two reports, ten tasks, stale starts and held periods. */
function sample(): SimulationReport[] {
  const names = [
    "collect requirements",
    "下载数据 (download)",
    'clean <raw> & "quoted" data',
    "train model",
    "evaluate on held-out set",
    "打开应用程序并截图",
    "write the report",
    "review",
    "publish",
    "cleanup (never run)",
  ];
  const plan: [number, number][] = [
    [0, 400],
    [0, 650],
    [400, 1300],
    [1300, 2600],
    [2600, 3200],
    [650, 1500],
    [3200, 3900],
    [3900, 4300],
    [4300, 4600],
  ];
  const mods = [
    { onTaskIds: ["t0"], startedAt: 400, publishedAt: 900 },
    { onTaskIds: ["t1"], startedAt: 650, publishedAt: 1100 },
    { onTaskIds: ["t4"], startedAt: 3200, publishedAt: 3700 },
  ];
  const without: SimulationReport = {
    orionId: "orion-ufo-7",
    orionName: "UFO 数据管道",
    gated: false,
    seed: 42,
    tasks: names.map((n, i) => {
      const p = plan[i];
      const stale = i === 2 || i === 5 || i === 6;
      return p === undefined ? task(`t${i}`, n) : task(`t${i}`, n, p[0], p[1], stale);
    }),
    modifications: mods,
    held: [],
    staleStarts: 3,
    makespan: 4600,
    heldMs: 0,
    timeouts: 0,
    ...honest,
    outcome: "completed",
  };
  const shift = (i: number): number => (i >= 6 ? 1000 : i >= 2 ? 700 : 0);
  const withGate: SimulationReport = {
    ...without,
    gated: true,
    tasks: names.map((n, i) => {
      const p = plan[i];
      if (p === undefined) return task(`t${i}`, n);
      const s = i === 2 || i === 5 ? 1100 - p[0] : shift(i);
      return task(`t${i}`, n, p[0] + s, p[1] + s);
    }),
    modifications: mods.map((m) => ({
      ...m,
      startedAt: m.startedAt + (m.startedAt >= 3000 ? 700 : 0),
      publishedAt: m.publishedAt + (m.startedAt >= 3000 ? 700 : 0),
    })),
    held: [
      { from: 400, to: 1100 },
      { from: 3900, to: 4400 },
    ],
    staleStarts: 0,
    makespan: 5600,
    heldMs: 1200,
  };
  return [without, withGate];
}

// ---- Tests -------------------------------------------------------------------------------------

describe("renderTimeline (svg)", () => {
  const svg = renderTimeline([ungated, gated], "svg");

  it("is a well-formed standalone SVG document", () => {
    expect(() => assertWellFormed(svg)).not.toThrow();
    expect(svg).toMatch(/<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="\d+" height="\d+"/);
    expect(svg).toMatch(/viewBox="0 0 \d+ \d+"/);
    expect(svg).not.toMatch(/<script|href=|url\(/);
  });

  it("draws one bar per executed task, stale ones marked", () => {
    expect(count(svg, /class="task-bar[^"]*"/g)).toBe(3 + 3);
    expect(count(svg, /class="task-bar stale"/g)).toBe(2);
    expect(count(svg, /class="stale-marker"/g)).toBe(2);
    expect(count(svg, /class="not-run"/g)).toBe(2);
  });

  it("draws the modifications and the held periods", () => {
    expect(count(svg, /class="modification"/g)).toBe(2);
    expect(count(svg, /class="held"/g)).toBe(1);
    expect(count(svg, /class="agent-label"/g)).toBe(2);
  });

  it("has titles, a legend and axis labels", () => {
    expect(svg).toContain("demo — without the gate");
    expect(svg).toContain("demo — with the gate");
    expect(svg).toContain('class="legend"');
    for (const label of ["task bar", "stale start", "agent modification", "held at the gate"]) {
      expect(svg).toContain(`>${label}</text>`);
    }
    const ticks = [...svg.matchAll(/class="tick-label">([^<]*)</g)].map((m) => m[1]);
    expect(ticks.slice(0, 9)).toEqual([
      "0",
      "50 ms",
      "100 ms",
      "150 ms",
      "200 ms",
      "250 ms",
      "300 ms",
      "350 ms",
      "400 ms",
    ]);
  });

  it("escapes task names", () => {
    const evil: SimulationReport = {
      ...ungated,
      orionName: `<b>"x" & 'y'</b>`,
      tasks: [task("x", "<script>alert(1)</script> & 数据", 0, 10), task("y", "", 10, 20)],
    };
    const out = renderTimeline([evil], "svg");
    expect(() => assertWellFormed(out)).not.toThrow();
    expect(out).not.toContain("<script");
    expect(out).toContain("&lt;script&gt;alert(1)&lt;/script&gt; &amp; 数据");
    expect(out).toContain("&lt;b&gt;&quot;x&quot; &amp; &apos;y&apos;&lt;/b&gt;");
    expect(out).toContain('class="task-label">y</text>'); // empty name: falls back to the id
  });

  it("copes with no reports and with an empty run", () => {
    const empty: SimulationReport = {
      ...ungated,
      tasks: [],
      modifications: [],
      makespan: 0,
      staleStarts: 0,
    };
    for (const out of [renderTimeline([], "svg"), renderTimeline([empty], "svg")]) {
      expect(() => assertWellFormed(out)).not.toThrow();
      expect(out).not.toMatch(/NaN|Infinity/);
    }
  });

  it("renders the larger sample (written to /tmp when TIMELINE_SAMPLE is set)", () => {
    const out = renderTimeline(sample(), "svg");
    expect(() => assertWellFormed(out)).not.toThrow();
    expect(count(out, /class="task-bar[^"]*"/g)).toBe(18);
    expect(count(out, /class="task-bar stale"/g)).toBe(3);
    expect(count(out, /class="held"/g)).toBe(2);
    expect(out).not.toMatch(/NaN|Infinity/);
    const target = process.env["TIMELINE_SAMPLE"];
    if (target !== undefined && target !== "") {
      writeFileSync(`${target}.svg`, out);
      writeFileSync(`${target}.html`, renderTimeline(sample(), "html"));
    }
  });
});

describe("renderTimeline (html)", () => {
  it("wraps the same SVG in a minimal HTML5 page", () => {
    const html = renderTimeline([ungated, gated], "html");
    const svg = renderTimeline([ungated, gated], "svg");
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(html).toMatch(/<title>[^<]*demo[^<]*<\/title>/);
    expect(html).toContain('<p class="caption">');
    const figure = html.slice(html.indexOf("<figure>"));
    const inline = figure.slice(figure.indexOf("<svg"), figure.indexOf("</svg>") + 6);
    expect(svg).toContain(inline);
    expect(() => assertWellFormed(inline)).not.toThrow();
    expect(html).not.toMatch(/<script|<link|src=/);
  });
});

describe("tick steps", () => {
  it("are 1, 2 or 5 × 10^k", () => {
    expect(niceTickStep(300)).toBe(50);
    expect(niceTickStep(4600)).toBe(1000);
    expect(niceTickStep(5600)).toBe(1000);
    expect(niceTickStep(1)).toBe(0.2);
    expect(niceTickStep(0)).toBe(0.2);
    expect(niceTickStep(12_000)).toBe(2000);
  });

  it("are labelled in ms or s", () => {
    expect(formatTick(0, 50, false)).toBe("0");
    expect(formatTick(150, 50, false)).toBe("150 ms");
    expect(formatTick(1500, 500, true)).toBe("1.5 s");
    expect(formatTick(2000, 1000, true)).toBe("2 s");
    expect(formatTick(0.4, 0.2, false)).toBe("0.4 ms");
  });
});

// ---- Large orions (issue 17) -------------------------------------------------------------------

/** A 2,000-task orion in 50 levels of 40, run without and with the gate (synthetic times). */
function large(n = 2000, width = 40): { reports: SimulationReport[]; levels: Map<string, number> } {
  const ids = Array.from({ length: n }, (_, i) => `t${i}`);
  const deps = ids.flatMap((id, i) =>
    i < width ? [] : [{ fromTaskId: `t${i - width}`, toTaskId: id }],
  );
  const levels = taskLevels(ids, deps);
  const run = (gated: boolean): SimulationReport => {
    const tasks = ids.map((id, i) => {
      const level = Math.floor(i / width);
      const start = level * (gated ? 120 : 50) + (i % 7) * 3;
      const name = i % 5 === 0 ? `数据处理 ${i}` : `task number ${i}`;
      return task(id, name, start, start + 20 + (i % 11) * 4, !gated && i % 3 === 0);
    });
    return {
      orionId: "big",
      orionName: `big ${n}`,
      gated,
      seed: 1,
      tasks,
      modifications: [{ onTaskIds: ids.slice(0, 40), startedAt: 20, publishedAt: 80 }],
      held: gated ? [{ from: 20, to: 80 }] : [],
      staleStarts: tasks.filter((t) => t.stale).length,
      makespan: Math.max(...tasks.map((t) => t.endedAt ?? 0)),
      heldMs: gated ? 60 : 0,
      timeouts: 0,
      ...honest,
      ...honest,
      outcome: "completed",
    };
  };
  return { reports: [run(false), run(true)], levels };
}

/** The heights of the SVGs a reader sees without expanding anything (outside `<details>`). */
function visibleHeight(html: string): number {
  const visible = html.replace(/<details[\s\S]*<\/details>/g, "");
  return [...visible.matchAll(/<svg[^>]* height="(\d+)"/g)].reduce((h, m) => h + Number(m[1]), 0);
}

describe("renderTimeline: a 2,000-task orion", () => {
  const { reports, levels } = large();
  const html = renderTimeline(reports, "html", { levels });
  const svg = renderTimeline(reports, "svg", { levels });

  it("stays under 1 MB and 5,000 px, every task still in the page", () => {
    expect(Buffer.byteLength(html)).toBeLessThan(1024 * 1024);
    expect(visibleHeight(html)).toBeLessThan(5000);
    expect(Number(/height="(\d+)"/.exec(svg)?.[1])).toBeLessThan(5000);
    // Each task is in an expandable group: one bar per task per run.
    expect(count(html, /class="b[ "]/g)).toBe(4000);
    expect(count(html, /class="b s"/g)).toBe(reports[0]!.staleStarts);
  });

  it("groups the lanes by level, at most 30 groups, expandable with <details>", () => {
    expect(count(svg, /class="group-label"/g)).toBe(2 * 25); // 50 levels in bands of 2
    expect(svg).toContain(">levels 0–1 · 80 tasks</text>");
    expect(count(svg, /class="task-bar/g)).toBe(0);
    expect(count(html, /<details>/g)).toBe(2 * 25);
    expect(html).toContain("<summary>levels 0–1 · 80 tasks · 27 stale</summary>");
    const sections = svg.split('<g class="report"').slice(1);
    for (const section of sections)
      expect(() => assertWellFormed(`<g${section.replace(/<\/svg>\s*$/, "")}`)).not.toThrow();
    expect(() => assertWellFormed(svg.replace(/^<\?xml[^>]*>\n/, ""))).not.toThrow();
  });

  it("keeps the axis in view: above and below each run, and a sticky header in HTML", () => {
    const labels = [...svg.matchAll(/class="tick-label">([^<]*)</g)].map((m) => m[1]);
    const perAxis = labels.indexOf("0", 1);
    expect(perAxis).toBeGreaterThan(3);
    expect(labels.length).toBe(4 * perAxis); // top and bottom of two sections
    expect(html).toMatch(/div\.axis \{ position: sticky; top: 0;/);
    expect(html.indexOf('<div class="axis">')).toBeLessThan(html.indexOf("<figure>"));
  });

  it("groups by start order without levels; small reports keep a lane per task", () => {
    const byStart = renderTimeline(reports, "svg");
    expect(byStart).toContain(">starts 1–67 · 67 tasks</text>");
    expect(count(byStart, /class="group-label"/g)).toBe(2 * 30);
    const small = large(GROUP_FROM, 10);
    expect(count(renderTimeline(small.reports, "svg"), /class="task-bar/g)).toBe(2 * GROUP_FROM);
  });
});

describe("lane labels and levels", () => {
  it("put the id beside a name a machine may lack the font for", () => {
    expect(laneLabel({ id: "t1", name: "下载数据" })).toBe("t1 · 下载数据");
    expect(laneLabel({ id: "t2", name: "Données, schön" })).toBe("Données, schön");
    expect(laneLabel({ id: "t3", name: "" })).toBe("t3");
    const out = renderTimeline(sample(), "svg");
    expect(out).toContain('class="task-label">t1 · 下载数据 (download)</text>');
  });

  it("levels: longest path from a root; a cycle gets none", () => {
    const levels = taskLevels(
      ["a", "b", "c", "d", "x", "y"],
      [
        { fromTaskId: "a", toTaskId: "b" },
        { fromTaskId: "b", toTaskId: "c" },
        { fromTaskId: "a", toTaskId: "c" },
        { fromTaskId: "x", toTaskId: "y" },
        { fromTaskId: "y", toTaskId: "x" },
        { fromTaskId: "ghost", toTaskId: "d" },
      ],
    );
    expect(Object.fromEntries(levels)).toEqual({ a: 0, b: 1, c: 2, d: 0 });
    const groups = groupLanes([task("a", "a"), task("x", "x")], levels);
    expect(groups.map((g) => g.label)).toEqual(["level 0", "no level"]);
  });
});
