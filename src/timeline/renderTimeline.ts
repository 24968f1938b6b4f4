/**
 * A self-contained Gantt-style picture of simulated runs (issue 6): one section per report,
 * one lane per task, the agent's modifications on their own lane, the gate's held periods shaded
 * (a scoped run's in the held tasks' lanes, issue 16) and stale starts in red. No scripts, no
 * external assets: plain SVG, optionally in an HTML page.
 *
 * Beyond {@link GROUP_FROM} tasks a lane per task is unreadable (issue 17: 240,000 px tall), so
 * lanes are grouped by dependency level, each drawn as the number of its tasks running over
 * time; the HTML page expands each group into its tasks with `<details>`, and keeps the time
 * axis in view with a sticky header.
 */
import type { SimulationReport } from "../simulation/types.js";
import { columnLoad, GROUP_FROM, groupLanes, type LaneGroup } from "./laneGroups.js";
import { laneLabel, reportTitle } from "./labels.js";
import { staleMarker } from "./lanes.js";
import { finite, formatDuration, makeScale, type Scale } from "./scales.js";
import {
  BAR_HEIGHT,
  CHART_X,
  COLOR,
  FONT_FAMILY,
  FONT_SIZE,
  LABEL_WIDTH,
  LANE_HEIGHT,
  LEGEND_HEIGHT,
  MARGIN_LEFT,
  MOD_HEIGHT,
  SECTION_GAP,
  WIDTH,
} from "./style.js";
import { gridLines, renderAxis, renderSection, type Layout } from "./section.js";
import { attrs, escapeXml, fitText, px, rect, svgDocument, text, textWidth } from "./svg.js";

/** What {@link renderTimeline} writes: a bare SVG, or a self-contained HTML page around it. */
export type TimelineFormat = "svg" | "html";

/** The legend at `top`: a swatch and a word for bars, stale starts, modifications, holds. */
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

/** Options of {@link renderTimeline}. */
export interface TimelineOptions {
  /**
   * Each task's dependency level ({@link taskLevels}), to group the lanes of a large report
   * by level; without it, they are grouped by order of start.
   */
  readonly levels?: ReadonlyMap<string, number>;
}

/** Which reports get grouped lanes, and the load scale their groups share. */
function makeLayout(
  reports: readonly SimulationReport[],
  scale: Scale,
  options: TimelineOptions,
): Layout {
  const grouped = new Map<SimulationReport, readonly LaneGroup[]>();
  let loadMax = 1;
  for (const report of reports) {
    if (report.tasks.length <= GROUP_FROM) continue;
    const groups = groupLanes(report.tasks, options.levels);
    grouped.set(report, groups);
    for (const g of groups) {
      loadMax = Math.max(loadMax, ...columnLoad(g.tasks, scale, report.makespan));
    }
  }
  return { groups: (report) => grouped.get(report), loadMax };
}

/** The SVG document: legend, then each report's section, stacked on one time scale. */
function renderSvg(reports: readonly SimulationReport[], options: TimelineOptions): string {
  const scale = makeScale(reports);
  const layout = makeLayout(reports, scale, options);
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
    const section = renderSection(report, y, scale, layout);
    parts.push(section.svg);
    y += section.height + SECTION_GAP;
  }
  const height = Math.ceil(y);
  const title =
    reports.length > 0 ? `Timeline: ${reports.map(reportTitle).join(" / ")}` : "Timeline";
  return svgDocument(WIDTH, height, title, parts);
}

/** The sticky axis of the HTML page: the same scale as the charts, always in view. */
function stickyAxis(scale: Scale): string {
  const height = 28;
  return svgDocument(WIDTH, height, "time axis", [renderAxis(scale, height - 2, "top")]);
}

/**
 * A group's tasks, one lane each: what a `<details>` of the HTML page expands to. Styled by
 * the page's CSS classes, not attributes, to keep 2,000 tasks well under a megabyte.
 */
function groupDetail(group: LaneGroup, report: SimulationReport, scale: Scale): string {
  const lanesTop = 0;
  const bottom = lanesTop + group.tasks.length * LANE_HEIGHT;
  const height = bottom;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="tasks"${attrs({ width: WIDTH, height, viewBox: `0 0 ${WIDTH} ${height}` })}>`,
    // No axis of its own: the page's sticky axis is in view above it.
    gridLines(scale, lanesTop, bottom),
  ];
  group.tasks.forEach((task, i) => {
    const y = lanesTop + i * LANE_HEIGHT;
    const label = fitText(laneLabel(task), LABEL_WIDTH - 14, FONT_SIZE);
    out.push(
      `<text x="${CHART_X - 10}" y="${y + 16}" class="l${task.stale ? " s" : ""}">${escapeXml(label)}</text>`,
    );
    if (task.startedAt === undefined || !finite(task.startedAt)) {
      out.push(`<text x="${CHART_X + 6}" y="${y + 16}" class="n">not run</text>`);
      return;
    }
    const end = finite(task.endedAt) ? Math.max(task.startedAt, task.endedAt) : undefined;
    const x1 = scale.x(task.startedAt);
    const x2 = scale.x(end ?? Math.max(task.startedAt, report.makespan));
    const tip =
      `${task.id}: ${formatDuration(task.startedAt)} → ${end === undefined ? "…" : formatDuration(end)}` +
      (task.stale ? ", stale start" : "");
    out.push(
      `<rect x="${px(x1)}" y="${y + 5}" width="${px(Math.max(2, x2 - x1))}" height="${BAR_HEIGHT}" ` +
        `class="b${task.stale ? " s" : ""}"><title>${escapeXml(tip)}</title></rect>`,
    );
  });
  out.push("</svg>");
  return out.join("\n");
}

/** The HTML page: caption, sticky axis, the SVG, then every task of large reports by group. */
function renderHtml(reports: readonly SimulationReport[], options: TimelineOptions): string {
  const svg = renderSvg(reports, options);
  const scale = makeScale(reports);
  const names = [...new Set(reports.map((r) => r.orionName ?? r.orionId))];
  const title = `Timeline${names.length > 0 ? `: ${names.join(", ")}` : ""}`;
  const large = reports.filter((r) => r.tasks.length > GROUP_FROM);
  const caption =
    (large.length === 0
      ? "One lane per task (execution bars), "
      : `More than ${GROUP_FROM} tasks: one lane per ${options.levels === undefined ? "band of start times" : "dependency level"}, ` +
        "its height the number of its tasks running, red ticks on top its stale starts " +
        "(every task is listed below the chart, by group); ") +
    "the agent's modifications on the bottom lane, " +
    "periods when the gate held ready tasks shaded in amber (in a scoped run, in the lanes of " +
    "the tasks a pending modification's scope held), stale starts in red. " +
    "Hover a bar for its times.";
  const details: string[] = [];
  for (const report of large) {
    const groups = groupLanes(report.tasks, options.levels);
    details.push(
      `<details class="run"><summary>${escapeXml(reportTitle(report))}: every task (${report.tasks.length}), by group</summary>`,
    );
    for (const group of groups) {
      const stale = group.tasks.filter((t) => t.stale).length;
      const summary =
        `${group.label} · ${group.tasks.length} tasks` + (stale > 0 ? ` · ${stale} stale` : "");
      details.push(
        `<details><summary>${escapeXml(summary)}</summary>`,
        groupDetail(group, report, scale),
        "</details>",
      );
    }
    details.push("</details>");
  }
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
    // The axis stays at the top of the window while the chart scrolls under it.
    "div.axis { position: sticky; top: 0; z-index: 1; background: #ffffff; width: fit-content; box-shadow: 0 1px 0 #e3e7ec; }",
    "div.axis svg { display: block; }",
    `details { font-size: 14px; margin: 4px 0; max-width: ${WIDTH}px; }`,
    "details details { margin-left: 16px; }",
    "summary { cursor: pointer; }",
    // The expanded task lanes (see groupDetail): striped rows, labels right-aligned.
    `svg.tasks { display: block; margin: 4px 0 8px -16px; background: repeating-linear-gradient(${COLOR.stripe} 0 ${LANE_HEIGHT}px, #ffffff ${LANE_HEIGHT}px ${2 * LANE_HEIGHT}px); }`,
    `svg.tasks text.l { text-anchor: end; font-size: ${FONT_SIZE}px; fill: ${COLOR.text}; }`,
    `svg.tasks text.n { font-size: 11px; font-style: italic; fill: ${COLOR.muted}; }`,
    `svg.tasks rect.b { fill: ${COLOR.bar}; rx: 2px; }`,
    `svg.tasks .s { fill: ${COLOR.stale}; }`,
    "</style>",
    "</head>",
    "<body>",
    `<h1>${escapeXml(title)}</h1>`,
    `<p class="caption">${escapeXml(caption)}</p>`,
    `<div class="axis">`,
    stickyAxis(scale),
    "</div>",
    "<figure>",
    svg,
    "</figure>",
    ...details,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

/**
 * Draws `reports` (e.g. the run without the gate, then with it) stacked on one shared time scale.
 * `"svg"` gives a standalone SVG document; `"html"` an HTML5 page embedding the same SVG, with a
 * sticky time axis and, for large reports, every task under expandable groups.
 */
export function renderTimeline(
  reports: readonly SimulationReport[],
  format: TimelineFormat,
  options: {
    /**
     * Each task's dependency level (`taskLevels`), to group the lanes of a report of more than
     * 40 tasks by level; without it, they are grouped by order of start.
     */
    readonly levels?: ReadonlyMap<string, number>;
  } = {},
): string {
  switch (format) {
    case "svg":
      return `<?xml version="1.0" encoding="UTF-8"?>\n${renderSvg(reports, options)}\n`;
    case "html":
      return renderHtml(reports, options);
    default: {
      const never: never = format;
      throw new Error(`renderTimeline: unknown format ${String(never)}`);
    }
  }
}
