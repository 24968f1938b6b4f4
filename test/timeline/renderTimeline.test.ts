import { writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { SimulatedTask, SimulationReport } from "../../src/simulation/types.js";
import { formatTick, niceTickStep, renderTimeline } from "../../src/timeline/index.js";

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
    const inline = html.slice(html.indexOf("<svg"), html.indexOf("</svg>") + 6);
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
