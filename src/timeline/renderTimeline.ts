/**
 * A self-contained Gantt-style picture of simulated runs (issue 6): one section per report,
 * one lane per task, the agent's modifications on their own lane, the gate's held periods shaded
 * and stale starts in red. No scripts, no external assets: plain SVG, optionally in an HTML page.
 */
import type {
  HeldPeriod,
  SimulatedModification,
  SimulatedTask,
  SimulationReport,
} from "../simulation/types.js";

/** What {@link renderTimeline} writes: a bare SVG, or a self-contained HTML page around it. */
export type TimelineFormat = "svg" | "html";

// ---- Layout (px) -----------------------------------------------------------------------------

const WIDTH = 980;
const MARGIN_LEFT = 16;
const MARGIN_RIGHT = 28;
const LABEL_WIDTH = 196;
const CHART_X = MARGIN_LEFT + LABEL_WIDTH;
const CHART_WIDTH = WIDTH - CHART_X - MARGIN_RIGHT;
const LEGEND_HEIGHT = 40;
const SECTION_GAP = 20;
const TITLE_HEIGHT = 48;
const LANE_HEIGHT = 24;
const BAR_HEIGHT = 14;
const MOD_ROW_HEIGHT = 14;
const MOD_HEIGHT = 10;
const AXIS_HEIGHT = 34;
const FONT_SIZE = 12;
const TARGET_TICKS = 8;

// ---- Colours (all text on white has contrast >= 4.5:1) ----------------------------------------

const COLOR = {
  text: "#1f2933",
  muted: "#5f6b7a",
  grid: "#e3e7ec",
  axis: "#52606d",
  stripe: "#f5f7fa",
  bar: "#2f6fb3",
  barRunning: "#8fb3dc",
  barFailed: "#4a5563",
  barCancelled: "#9aa5b1",
  stale: "#c8241b",
  modification: "#7a3fa0",
  held: "#f2b705",
} as const;

const FONT_FAMILY =
  "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, " +
  "'Noto Sans', 'Noto Sans CJK SC', 'PingFang SC', 'Microsoft YaHei', sans-serif";

// ---- Text --------------------------------------------------------------------------------------

/** Escapes text for XML content and attribute values; drops characters XML 1.0 cannot carry. */
export function escapeXml(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDFFF]/gu, "")
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;")
      .replace(/'/g, "&apos;")
  );
}

/** A rough width in px of `text` at `size`: wide (CJK, full-width) characters count double. */
function textWidth(text: string, size: number): number {
  let units = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    units += isWide(cp) ? 1.0 : 0.58;
  }
  return units * size;
}

function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

/** Shortens `text` with an ellipsis so that it fits in `maxWidth` px (never splits a code point). */
function fitText(text: string, maxWidth: number, size: number): string {
  if (textWidth(text, size) <= maxWidth) return text;
  const chars = [...text];
  while (chars.length > 0 && textWidth(chars.join("") + "…", size) > maxWidth) chars.pop();
  return chars.join("") + "…";
}

// ---- Time scale --------------------------------------------------------------------------------

/** A tick step of 1, 2 or 5 × 10^k ms giving at most about `target` intervals over `range`. */
export function niceTickStep(range: number, target: number = TARGET_TICKS): number {
  const safeRange = Number.isFinite(range) && range > 0 ? range : 1;
  const raw = safeRange / Math.max(1, target);
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const factor of [1, 2, 5, 10]) {
    if (factor * power >= raw) return factor * power;
  }
  return 10 * power;
}

/** Formats a tick: ms below one second of range, seconds otherwise, with the step's precision. */
export function formatTick(value: number, step: number, useSeconds: boolean): string {
  if (value === 0) return "0";
  if (!useSeconds) {
    const decimals = Math.max(0, -Math.floor(Math.log10(step)));
    return `${value.toFixed(decimals)} ms`;
  }
  const decimals = Math.max(0, -Math.floor(Math.log10(step / 1000)));
  return `${(value / 1000).toFixed(decimals)} s`;
}

function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return "?";
  if (Math.abs(ms) < 1000) return `${round(ms, 1)} ms`;
  return `${round(ms / 1000, 2)} s`;
}

function round(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}

/** Coordinates rounded to 0.01 px keep the document small and stable. */
function px(value: number): string {
  return String(round(value, 2));
}

function finite(value: number | undefined): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

/** The latest instant any report shows: all sections share one scale so they can be compared. */
function timeDomain(reports: readonly SimulationReport[]): number {
  let end = 0;
  const see = (t: number | undefined): void => {
    if (finite(t) && t > end) end = t;
  };
  for (const r of reports) {
    see(r.makespan);
    for (const t of r.tasks) {
      see(t.startedAt);
      see(t.endedAt);
    }
    for (const m of r.modifications) see(m.publishedAt);
    for (const h of r.held) see(h.to);
  }
  return end > 0 ? end : 1;
}

interface Scale {
  readonly x: (t: number) => number;
  readonly ticks: readonly { readonly at: number; readonly label: string }[];
}

function makeScale(reports: readonly SimulationReport[]): Scale {
  const domain = timeDomain(reports);
  const step = niceTickStep(domain);
  const end = Math.ceil(domain / step - 1e-9) * step;
  const useSeconds = end >= 1000;
  const ticks: { at: number; label: string }[] = [];
  for (let i = 0; i * step <= end + step * 1e-9; i++) {
    const at = i * step;
    ticks.push({ at, label: formatTick(at, step, useSeconds) });
  }
  const x = (t: number): number => CHART_X + (Math.min(Math.max(t, 0), end) / end) * CHART_WIDTH;
  return { x, ticks };
}

// ---- SVG pieces --------------------------------------------------------------------------------

function attrs(values: Readonly<Record<string, string | number | undefined>>): string {
  return Object.entries(values)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([k, v]) => ` ${k}="${typeof v === "number" ? px(v) : escapeXml(v)}"`)
    .join("");
}

function rect(
  values: Readonly<Record<string, string | number | undefined>>,
  tooltip?: string,
): string {
  return tooltip === undefined
    ? `<rect${attrs(values)}/>`
    : `<rect${attrs(values)}><title>${escapeXml(tooltip)}</title></rect>`;
}

function text(content: string, values: Readonly<Record<string, string | number | undefined>>) {
  return `<text${attrs(values)}>${escapeXml(content)}</text>`;
}

function reportTitle(report: SimulationReport): string {
  const name = report.orionName ?? report.orionId;
  return `${name} — ${report.gated ? "with the gate" : "without the gate"}`;
}

function reportSummary(report: SimulationReport): string {
  const parts = [
    `makespan ${formatDuration(report.makespan)}`,
    `${report.staleStarts} stale start${report.staleStarts === 1 ? "" : "s"}`,
    `${report.modifications.length} modification${report.modifications.length === 1 ? "" : "s"}`,
  ];
  if (report.gated) parts.push(`held ${formatDuration(report.heldMs)}`);
  if (report.timeouts > 0) parts.push(`${report.timeouts} timeout(s)`);
  parts.push(`outcome ${report.outcome}`, `seed ${report.seed}`);
  return parts.join(" · ");
}

/** Greedy rows so that overlapping modifications do not hide each other. */
function modificationRows(mods: readonly SimulatedModification[]): number[] {
  const rowEnds: number[] = [];
  const rows: number[] = [];
  const order = mods
    .map((m, i) => ({ m, i }))
    .sort((a, b) => a.m.startedAt - b.m.startedAt || a.i - b.i);
  const rowOf = new Map<number, number>();
  for (const { m, i } of order) {
    let row = rowEnds.findIndex((end) => end <= m.startedAt);
    if (row < 0) {
      row = rowEnds.length;
      rowEnds.push(m.publishedAt);
    } else {
      rowEnds[row] = m.publishedAt;
    }
    rowOf.set(i, row);
  }
  for (let i = 0; i < mods.length; i++) rows.push(rowOf.get(i) ?? 0);
  return rows;
}

function taskLabel(task: SimulatedTask): string {
  return task.name.trim() !== "" ? task.name : task.id;
}

function barColor(task: SimulatedTask): string {
  if (task.stale) return COLOR.stale;
  switch (task.status) {
    case "failed":
      return COLOR.barFailed;
    case "cancelled":
      return COLOR.barCancelled;
    case "running":
      return COLOR.barRunning;
    default:
      return COLOR.bar;
  }
}

function taskTooltip(task: SimulatedTask, start: number, end: number | undefined): string {
  const lines = [
    `${taskLabel(task)} (${task.id})`,
    `${task.status}: ${formatDuration(start)} → ${end === undefined ? "…" : formatDuration(end)}`,
  ];
  if (task.stale) lines.push("stale start: began before the agent's modification was published");
  return lines.join("\n");
}

function heldTooltip(h: HeldPeriod): string {
  return `held at the gate: ${formatDuration(h.from)} → ${formatDuration(h.to)}`;
}

interface Section {
  readonly svg: string;
  readonly height: number;
}

function renderSection(report: SimulationReport, top: number, scale: Scale): Section {
  const out: string[] = [];
  const names = new Map(report.tasks.map((t) => [t.id, taskLabel(t)] as const));
  const lanesTop = top + TITLE_HEIGHT;
  const rows = modificationRows(report.modifications);
  const rowCount = Math.max(1, ...rows.map((r) => r + 1));
  const agentHeight = Math.max(LANE_HEIGHT, rowCount * MOD_ROW_HEIGHT + 10);
  const agentTop = lanesTop + report.tasks.length * LANE_HEIGHT;
  const chartBottom = agentTop + agentHeight;
  const chartEnd = scale.x(Number.POSITIVE_INFINITY);

  out.push(`<g class="report"${attrs({ "data-gated": String(report.gated) })}>`);
  out.push(
    text(reportTitle(report), {
      x: MARGIN_LEFT,
      y: top + 20,
      "font-size": 16,
      "font-weight": "bold",
      fill: COLOR.text,
      class: "report-title",
    }),
  );
  out.push(
    text(reportSummary(report), {
      x: MARGIN_LEFT,
      y: top + 38,
      "font-size": FONT_SIZE,
      fill: COLOR.muted,
      class: "report-summary",
    }),
  );

  // Lane stripes, behind everything else.
  report.tasks.forEach((_, i) => {
    if (i % 2 === 0) {
      out.push(
        rect({
          x: MARGIN_LEFT,
          y: lanesTop + i * LANE_HEIGHT,
          width: chartEnd - MARGIN_LEFT,
          height: LANE_HEIGHT,
          fill: COLOR.stripe,
        }),
      );
    }
  });

  // Grid lines at the ticks.
  for (const tick of scale.ticks) {
    const x = scale.x(tick.at);
    out.push(
      `<line${attrs({ x1: x, x2: x, y1: lanesTop, y2: chartBottom, stroke: COLOR.grid, "stroke-width": 1 })}/>`,
    );
  }

  // Held periods, shaded across all lanes.
  for (const h of report.held) {
    if (!finite(h.from) || !finite(h.to)) continue;
    const x1 = scale.x(h.from);
    const x2 = scale.x(Math.max(h.from, h.to));
    out.push(
      rect(
        {
          class: "held",
          x: x1,
          y: lanesTop,
          width: Math.max(1.5, x2 - x1),
          height: chartBottom - lanesTop,
          fill: COLOR.held,
          "fill-opacity": 0.28,
        },
        heldTooltip(h),
      ),
    );
  }

  // Task lanes.
  report.tasks.forEach((task, i) => {
    const laneTop = lanesTop + i * LANE_HEIGHT;
    const midY = laneTop + LANE_HEIGHT / 2;
    const label = taskLabel(task);
    const ran = finite(task.startedAt);
    out.push(
      text(fitText(label, LABEL_WIDTH - 14, FONT_SIZE), {
        x: CHART_X - 10,
        y: midY + 4,
        "text-anchor": "end",
        "font-size": FONT_SIZE,
        fill: ran ? (task.stale ? COLOR.stale : COLOR.text) : COLOR.muted,
        class: "task-label",
      }),
    );
    if (!ran || task.startedAt === undefined) {
      out.push(
        text("not run", {
          x: CHART_X + 6,
          y: midY + 4,
          "font-size": 11,
          "font-style": "italic",
          fill: COLOR.muted,
          class: "not-run",
        }),
      );
      return;
    }
    const start = task.startedAt;
    const end = finite(task.endedAt) ? Math.max(start, task.endedAt) : undefined;
    const x1 = scale.x(start);
    const x2 = scale.x(end ?? Math.max(start, report.makespan));
    const classes = [
      "task-bar",
      task.stale ? "stale" : undefined,
      end === undefined ? "running" : undefined,
    ]
      .filter((c): c is string => c !== undefined)
      .join(" ");
    out.push(
      rect(
        {
          class: classes,
          x: x1,
          y: midY - BAR_HEIGHT / 2,
          width: Math.max(2, x2 - x1),
          height: BAR_HEIGHT,
          rx: 2,
          fill: barColor(task),
          stroke: end === undefined ? COLOR.bar : undefined,
          "stroke-dasharray": end === undefined ? "3 2" : undefined,
        },
        taskTooltip(task, start, end),
      ),
    );
    if (task.stale) out.push(staleMarker(x1, midY));
  });

  // The agent's lane.
  const agentMid = agentTop + agentHeight / 2;
  out.push(
    `<line${attrs({ x1: MARGIN_LEFT, x2: chartEnd, y1: agentTop, y2: agentTop, stroke: COLOR.axis, "stroke-width": 0.5, "stroke-dasharray": "2 3" })}/>`,
  );
  out.push(
    text("agent", {
      x: CHART_X - 10,
      y: agentMid + 4,
      "text-anchor": "end",
      "font-size": FONT_SIZE,
      "font-weight": "bold",
      fill: COLOR.modification,
      class: "agent-label",
    }),
  );
  report.modifications.forEach((m, i) => {
    if (!finite(m.startedAt) || !finite(m.publishedAt)) return;
    const row = rows[i] ?? 0;
    const x1 = scale.x(m.startedAt);
    const x2 = scale.x(Math.max(m.startedAt, m.publishedAt));
    const on = m.onTaskIds.map((id) => names.get(id) ?? id).join(", ");
    out.push(
      rect(
        {
          class: "modification",
          x: x1,
          y: agentTop + 5 + row * MOD_ROW_HEIGHT + (MOD_ROW_HEIGHT - MOD_HEIGHT) / 2,
          width: Math.max(2, x2 - x1),
          height: MOD_HEIGHT,
          rx: 2,
          fill: COLOR.modification,
        },
        `agent modification ${formatDuration(m.startedAt)} → ${formatDuration(m.publishedAt)}` +
          (on === "" ? "" : `\non: ${on}`),
      ),
    );
  });

  // Time axis.
  out.push(
    `<line${attrs({ x1: CHART_X, x2: chartEnd, y1: chartBottom, y2: chartBottom, stroke: COLOR.axis, "stroke-width": 1 })}/>`,
  );
  for (const tick of scale.ticks) {
    const x = scale.x(tick.at);
    out.push(
      `<line${attrs({ x1: x, x2: x, y1: chartBottom, y2: chartBottom + 5, stroke: COLOR.axis, "stroke-width": 1 })}/>`,
    );
    out.push(
      text(tick.label, {
        x,
        y: chartBottom + 18,
        "text-anchor": "middle",
        "font-size": 11,
        fill: COLOR.muted,
        class: "tick-label",
      }),
    );
  }
  out.push("</g>");
  return { svg: out.join("\n"), height: chartBottom + AXIS_HEIGHT - top };
}

function staleMarker(x: number, midY: number): string {
  const r = 6;
  const points = [
    [x, midY - r],
    [x + r, midY],
    [x, midY + r],
    [x - r, midY],
  ]
    .map(([a, b]) => `${px(a ?? 0)},${px(b ?? 0)}`)
    .join(" ");
  return (
    `<polygon${attrs({ class: "stale-marker", points, fill: COLOR.stale, stroke: "#ffffff", "stroke-width": 1.5 })}>` +
    `<title>stale start</title></polygon>`
  );
}

function renderLegend(top: number): string {
  const items: { label: string; swatch: (x: number, y: number) => string }[] = [
    {
      label: "task bar",
      swatch: (x, y) =>
        rect({
          class: "legend-swatch",
          x,
          y: y - 7,
          width: 22,
          height: BAR_HEIGHT,
          rx: 2,
          fill: COLOR.bar,
        }),
    },
    {
      label: "stale start",
      swatch: (x, y) =>
        rect({
          class: "legend-swatch",
          x,
          y: y - 7,
          width: 22,
          height: BAR_HEIGHT,
          rx: 2,
          fill: COLOR.stale,
        }) + staleMarker(x, y).replace('class="stale-marker"', 'class="legend-marker"'),
    },
    {
      label: "agent modification",
      swatch: (x, y) =>
        rect({
          class: "legend-swatch",
          x,
          y: y - 5,
          width: 22,
          height: MOD_HEIGHT,
          rx: 2,
          fill: COLOR.modification,
        }),
    },
    {
      label: "held at the gate",
      swatch: (x, y) =>
        rect({
          class: "legend-swatch",
          x,
          y: y - 9,
          width: 22,
          height: 18,
          fill: COLOR.held,
          "fill-opacity": 0.28,
        }),
    },
  ];
  const out = [`<g class="legend">`];
  const y = top + LEGEND_HEIGHT / 2;
  let x = CHART_X;
  for (const item of items) {
    out.push(item.swatch(x, y));
    out.push(text(item.label, { x: x + 30, y: y + 4, "font-size": FONT_SIZE, fill: COLOR.text }));
    x += 30 + textWidth(item.label, FONT_SIZE) + 28;
  }
  out.push("</g>");
  return out.join("\n");
}

function renderSvg(reports: readonly SimulationReport[]): string {
  const scale = makeScale(reports);
  const parts: string[] = [renderLegend(8)];
  let y = 8 + LEGEND_HEIGHT + 4;
  if (reports.length === 0) {
    parts.push(
      text("no simulation reports", {
        x: MARGIN_LEFT,
        y: y + 20,
        "font-size": 14,
        fill: COLOR.muted,
      }),
    );
    y += 40;
  }
  for (const report of reports) {
    const section = renderSection(report, y, scale);
    parts.push(section.svg);
    y += section.height + SECTION_GAP;
  }
  const height = Math.ceil(y);
  const title =
    reports.length > 0 ? `Timeline: ${reports.map(reportTitle).join(" / ")}` : "Timeline";
  return [
    `<svg xmlns="http://www.w3.org/2000/svg"${attrs({
      width: WIDTH,
      height,
      viewBox: `0 0 ${WIDTH} ${height}`,
      "font-family": FONT_FAMILY,
      role: "img",
    })}>`,
    `<title>${escapeXml(title)}</title>`,
    rect({ x: 0, y: 0, width: WIDTH, height, fill: "#ffffff" }),
    ...parts,
    "</svg>",
  ].join("\n");
}

function renderHtml(reports: readonly SimulationReport[]): string {
  const svg = renderSvg(reports);
  const names = [...new Set(reports.map((r) => r.orionName ?? r.orionId))];
  const title = `Timeline${names.length > 0 ? `: ${names.join(", ")}` : ""}`;
  const caption =
    "One lane per task (execution bars), the agent's modifications on the bottom lane, " +
    "periods when the gate held ready tasks shaded in amber, stale starts in red. " +
    "Hover a bar for its times.";
  return [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeXml(title)}</title>`,
    "<style>",
    `body { font-family: ${FONT_FAMILY}; color: ${COLOR.text}; background: #ffffff; margin: 24px; }`,
    "h1 { font-size: 20px; margin: 0 0 4px; }",
    `p.caption { font-size: 14px; color: ${COLOR.muted}; margin: 0 0 16px; max-width: ${WIDTH}px; }`,
    "figure { margin: 0; overflow-x: auto; }",
    "</style>",
    "</head>",
    "<body>",
    `<h1>${escapeXml(title)}</h1>`,
    `<p class="caption">${escapeXml(caption)}</p>`,
    "<figure>",
    svg,
    "</figure>",
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

/**
 * Draws `reports` (e.g. the run without the gate, then with it) stacked on one shared time scale.
 * `"svg"` gives a standalone SVG document; `"html"` a minimal HTML5 page embedding the same SVG.
 */
export function renderTimeline(
  reports: readonly SimulationReport[],
  format: TimelineFormat,
): string {
  switch (format) {
    case "svg":
      return `<?xml version="1.0" encoding="UTF-8"?>\n${renderSvg(reports)}\n`;
    case "html":
      return renderHtml(reports);
    default: {
      const never: never = format;
      throw new Error(`renderTimeline: unknown format ${String(never)}`);
    }
  }
}
