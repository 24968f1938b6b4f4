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
import type {
  SimulatedModification,
  SimulatedTask,
  SimulationReport,
} from "../simulation/types.js";
import {
  AXIS_HEIGHT,
  BAR_HEIGHT,
  CHART_WIDTH,
  CHART_X,
  COLOR,
  FONT_FAMILY,
  FONT_SIZE,
  GROUP_LANE_HEIGHT,
  LABEL_WIDTH,
  LANE_HEIGHT,
  LEGEND_HEIGHT,
  MARGIN_LEFT,
  MOD_HEIGHT,
  MOD_ROW_HEIGHT,
  SECTION_GAP,
  TITLE_HEIGHT,
  TOP_AXIS_HEIGHT,
  WIDTH,
} from "./style.js";
import { columnLoad, GROUP_FROM, groupLanes, type LaneGroup } from "./laneGroups.js";
import {
  heldTooltip,
  laneLabel,
  reportSummary,
  reportTitle,
  taskLabel,
  taskTooltip,
} from "./labels.js";
import { finite, formatDuration, makeScale, type Scale } from "./scales.js";
import {
  attrs,
  escapeXml,
  fitText,
  line,
  path,
  px,
  rect,
  svgDocument,
  text,
  textWidth,
} from "./svg.js";

export { GROUP_FROM, groupLanes, taskLevels, type LaneGroup } from "./laneGroups.js";
export { laneLabel } from "./labels.js";
export { formatTick, niceTickStep } from "./scales.js";
export { escapeXml } from "./svg.js";

/** What {@link renderTimeline} writes: a bare SVG, or a self-contained HTML page around it. */
export type TimelineFormat = "svg" | "html";

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

interface Section {
  readonly svg: string;
  readonly height: number;
}

/** How each report is laid out: a lane per task, or grouped lanes. */
interface Layout {
  readonly groups: (report: SimulationReport) => readonly LaneGroup[] | undefined;
  /** The largest count of tasks running at once in any group's pixel column: the y scale. */
  readonly loadMax: number;
}

function sectionHeader(report: SimulationReport, top: number): string {
  return [
    text(reportTitle(report), {
      x: MARGIN_LEFT,
      y: top + 20,
      "font-size": 16,
      "font-weight": "bold",
      fill: COLOR.text,
      class: "report-title",
    }),
    text(reportSummary(report), {
      x: MARGIN_LEFT,
      y: top + 38,
      "font-size": FONT_SIZE,
      fill: COLOR.muted,
      class: "report-summary",
    }),
  ].join("\n");
}

/** The time axis: a line at `y`, ticks and labels below it (or above, for a top axis). */
function renderAxis(scale: Scale, y: number, where: "top" | "bottom"): string {
  const out: string[] = [];
  const chartEnd = scale.x(Number.POSITIVE_INFINITY);
  const sign = where === "top" ? -1 : 1;
  out.push(
    line({ x1: CHART_X, x2: chartEnd, y1: y, y2: y, stroke: COLOR.axis, "stroke-width": 1 }),
  );
  for (const tick of scale.ticks) {
    const x = scale.x(tick.at);
    out.push(
      line({ x1: x, x2: x, y1: y, y2: y + sign * 5, stroke: COLOR.axis, "stroke-width": 1 }),
    );
    out.push(
      text(tick.label, {
        x,
        y: where === "top" ? y - 8 : y + 18,
        "text-anchor": "middle",
        "font-size": 11,
        fill: COLOR.muted,
        class: "tick-label",
      }),
    );
  }
  return out.join("\n");
}

function gridLines(scale: Scale, y1: number, y2: number): string {
  return scale.ticks
    .map((tick) => {
      const x = scale.x(tick.at);
      return line({ x1: x, x2: x, y1, y2, stroke: COLOR.grid, "stroke-width": 1 });
    })
    .join("\n");
}

function stripes(count: number, lanesTop: number, laneHeight: number, chartEnd: number): string {
  const out: string[] = [];
  for (let i = 0; i < count; i += 2) {
    out.push(
      rect({
        x: MARGIN_LEFT,
        y: lanesTop + i * laneHeight,
        width: chartEnd - MARGIN_LEFT,
        height: laneHeight,
        fill: COLOR.stripe,
      }),
    );
  }
  return out.join("\n");
}

/** One lane per task from `lanesTop`: label, bar (or "not run"), stale marker. */
function taskLanes(
  tasks: readonly SimulatedTask[],
  makespan: number,
  lanesTop: number,
  scale: Scale,
): string {
  const out: string[] = [];
  tasks.forEach((task, i) => {
    const laneTop = lanesTop + i * LANE_HEIGHT;
    const midY = laneTop + LANE_HEIGHT / 2;
    const label = laneLabel(task);
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
    const x2 = scale.x(end ?? Math.max(start, makespan));
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
  return out.join("\n");
}

/** One lane per group: how many of its tasks run over time, and its stale starts as red ticks. */
function groupLanesSvg(
  groups: readonly LaneGroup[],
  makespan: number,
  lanesTop: number,
  scale: Scale,
  loadMax: number,
): string {
  const out: string[] = [];
  const inner = GROUP_LANE_HEIGHT - 8;
  groups.forEach((group, i) => {
    const laneTop = lanesTop + i * GROUP_LANE_HEIGHT;
    const base = laneTop + GROUP_LANE_HEIGHT - 4;
    const ran = group.tasks.filter((t) => finite(t.startedAt));
    const stale = group.tasks.filter((t) => t.stale);
    const load = columnLoad(group.tasks, scale, makespan);
    const peak = Math.max(0, ...load);
    const label = `${group.label} · ${group.tasks.length} task${group.tasks.length === 1 ? "" : "s"}`;
    out.push(
      text(fitText(label, LABEL_WIDTH - 14, FONT_SIZE), {
        x: CHART_X - 10,
        y: laneTop + GROUP_LANE_HEIGHT / 2 + (stale.length > 0 ? -1 : 4),
        "text-anchor": "end",
        "font-size": FONT_SIZE,
        fill: COLOR.text,
        class: "group-label",
      }),
    );
    if (stale.length > 0) {
      out.push(
        text(`${stale.length} stale`, {
          x: CHART_X - 10,
          y: laneTop + GROUP_LANE_HEIGHT / 2 + 11,
          "text-anchor": "end",
          "font-size": 10,
          fill: COLOR.stale,
          class: "group-stale-count",
        }),
      );
    }
    // The load as a step area, column by column; runs of equal height are one segment.
    let d = "";
    let c = 0;
    while (c < load.length) {
      const v = load[c] ?? 0;
      let e = c + 1;
      while (e < load.length && (load[e] ?? 0) === v) e++;
      if (v > 0) {
        const h = Math.max(2, (v / Math.max(1, loadMax)) * inner);
        d += `M${CHART_X + c} ${px(base)}v${px(-h)}h${e - c}v${px(h)}z`;
      }
      c = e;
    }
    const first = Math.min(...ran.map((t) => t.startedAt ?? 0));
    const last = Math.max(...ran.map((t) => (finite(t.endedAt) ? t.endedAt : makespan)));
    const tooltip =
      `${group.label}: ${group.tasks.length} tasks, ${ran.length} ran, ${stale.length} stale` +
      (ran.length > 0
        ? `; ${formatDuration(first)} → ${formatDuration(last)}, up to ${peak} running at once`
        : "");
    out.push(
      rect(
        {
          class: "group-lane",
          x: CHART_X,
          y: laneTop,
          width: CHART_WIDTH,
          height: GROUP_LANE_HEIGHT,
          fill: "transparent",
        },
        tooltip,
      ),
    );
    if (d !== "") out.push(path({ class: "group-load", d, fill: COLOR.bar }));
    if (stale.length > 0) {
      const xs = [...new Set(stale.map((t) => Math.round(scale.x(t.startedAt ?? 0))))];
      // Short ticks along the lane's top edge, so the load stays visible under them.
      const ticks = xs.map((x) => `M${x} ${px(laneTop + 1)}v5`).join("");
      out.push(path({ class: "group-stale", d: ticks, stroke: COLOR.stale, "stroke-width": 1.5 }));
    }
    if (ran.length === 0) {
      out.push(
        text("not run", {
          x: CHART_X + 6,
          y: laneTop + GROUP_LANE_HEIGHT / 2 + 4,
          "font-size": 11,
          "font-style": "italic",
          fill: COLOR.muted,
          class: "not-run",
        }),
      );
    }
  });
  return out.join("\n");
}

function renderSection(
  report: SimulationReport,
  top: number,
  scale: Scale,
  layout: Layout,
): Section {
  const out: string[] = [];
  const names = new Map(report.tasks.map((t) => [t.id, taskLabel(t)] as const));
  const lanesTop = top + TITLE_HEIGHT + TOP_AXIS_HEIGHT;
  const groups = layout.groups(report);
  const laneCount = groups === undefined ? report.tasks.length : groups.length;
  const laneHeight = groups === undefined ? LANE_HEIGHT : GROUP_LANE_HEIGHT;
  const rows = modificationRows(report.modifications);
  const rowCount = Math.max(1, ...rows.map((r) => r + 1));
  const agentHeight = Math.max(LANE_HEIGHT, rowCount * MOD_ROW_HEIGHT + 10);
  const agentTop = lanesTop + laneCount * laneHeight;
  const chartBottom = agentTop + agentHeight;
  const chartEnd = scale.x(Number.POSITIVE_INFINITY);

  out.push(
    `<g class="report"${attrs({ "data-gated": String(report.gated), "data-scope": report.scope, "data-grouped": groups === undefined ? undefined : "true" })}>`,
  );
  out.push(sectionHeader(report, top));
  // The axis above the lanes too: a long chart is read from the top.
  out.push(renderAxis(scale, lanesTop, "top"));
  out.push(stripes(laneCount, lanesTop, laneHeight, chartEnd));
  out.push(gridLines(scale, lanesTop, chartBottom));

  // Held periods, shaded across all lanes; a scoped run's holds only in their tasks' lanes.
  if (report.scope !== undefined) {
    const laneOf = new Map<string, number>();
    if (groups === undefined) report.tasks.forEach((t, i) => laneOf.set(t.id, i));
    else groups.forEach((g, i) => g.tasks.forEach((t) => laneOf.set(t.id, i)));
    for (const h of report.taskHolds) {
      const lane = laneOf.get(h.taskId);
      if (lane === undefined || !finite(h.from) || !finite(h.to)) continue;
      const x1 = scale.x(h.from);
      const x2 = scale.x(Math.max(h.from, h.to));
      out.push(
        rect(
          {
            class: "held task-hold",
            x: x1,
            y: lanesTop + lane * laneHeight + 2,
            width: Math.max(1.5, x2 - x1),
            height: laneHeight - 4,
            fill: COLOR.held,
            "fill-opacity": 0.45,
          },
          `${names.get(h.taskId) ?? h.taskId} held for a pending modification's scope: ` +
            `${formatDuration(h.from)} → ${formatDuration(h.to)}`,
        ),
      );
    }
  }
  for (const h of report.scope === undefined ? report.held : []) {
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

  out.push(
    groups === undefined
      ? taskLanes(report.tasks, report.makespan, lanesTop, scale)
      : groupLanesSvg(groups, report.makespan, lanesTop, scale, layout.loadMax),
  );

  // The agent's lane.
  const agentMid = agentTop + agentHeight / 2;
  out.push(
    line({
      x1: MARGIN_LEFT,
      x2: chartEnd,
      y1: agentTop,
      y2: agentTop,
      stroke: COLOR.axis,
      "stroke-width": 0.5,
      "stroke-dasharray": "2 3",
    }),
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
    const listed = m.onTaskIds.slice(0, 10).map((id) => names.get(id) ?? id);
    if (m.onTaskIds.length > 10) listed.push(`and ${m.onTaskIds.length - 10} more`);
    const on = listed.join(", ");
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

  out.push(renderAxis(scale, chartBottom, "bottom"));
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

/** Options of {@link renderTimeline}. */
export interface TimelineOptions {
  /**
   * Each task's dependency level ({@link taskLevels}), to group the lanes of a large report
   * by level; without it, they are grouped by order of start.
   */
  readonly levels?: ReadonlyMap<string, number>;
}

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
