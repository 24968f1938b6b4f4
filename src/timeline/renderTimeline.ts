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
  HeldPeriod,
  SimulatedHold,
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
  groupTooltip,
  heldTooltip,
  laneLabel,
  modificationTooltip,
  reportSummary,
  reportTitle,
  taskHoldTooltip,
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

/** A lane's label, right-aligned against the chart and shortened to fit the label column. */
function laneLabelText(label: string, y: number, fill: string, className: string): string {
  return text(fitText(label, LABEL_WIDTH - 14, FONT_SIZE), {
    x: CHART_X - 10,
    y,
    "text-anchor": "end",
    "font-size": FONT_SIZE,
    fill,
    class: className,
  });
}

/** The "not run" note at the start of a lane whose task (or every task of whose group) never ran. */
function notRunText(y: number): string {
  return text("not run", {
    x: CHART_X + 6,
    y,
    "font-size": 11,
    "font-style": "italic",
    fill: COLOR.muted,
    class: "not-run",
  });
}

/** A started task's bar, from its start to its end (or, still running, dashed to the makespan). */
function taskBar(
  task: SimulatedTask,
  start: number,
  makespan: number,
  midY: number,
  scale: Scale,
): string[] {
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
  const bar = rect(
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
  );
  return task.stale ? [bar, staleMarker(x1, midY)] : [bar];
}

/** One task's lane from `laneTop`: its label, then its bar (or "not run"). */
function taskLane(task: SimulatedTask, laneTop: number, makespan: number, scale: Scale): string[] {
  const midY = laneTop + LANE_HEIGHT / 2;
  const ran = finite(task.startedAt);
  const fill = ran ? (task.stale ? COLOR.stale : COLOR.text) : COLOR.muted;
  const label = laneLabelText(laneLabel(task), midY + 4, fill, "task-label");
  if (!ran || task.startedAt === undefined) return [label, notRunText(midY + 4)];
  return [label, ...taskBar(task, task.startedAt, makespan, midY, scale)];
}

/** One lane per task from `lanesTop`: label, bar (or "not run"), stale marker. */
function taskLanes(
  tasks: readonly SimulatedTask[],
  makespan: number,
  lanesTop: number,
  scale: Scale,
): string {
  return tasks
    .flatMap((task, i) => taskLane(task, lanesTop + i * LANE_HEIGHT, makespan, scale))
    .join("\n");
}

/**
 * A group's load as a step area over its lane (bottom at `base`, at most `inner` high for
 * `loadMax`), column by column; runs of equal height are one segment.
 */
function loadPathData(load: Int32Array, base: number, inner: number, loadMax: number): string {
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
  return d;
}

/** Short red ticks along a group lane's top edge at its stale starts, so the load stays visible. */
function staleTicks(stale: readonly SimulatedTask[], laneTop: number, scale: Scale): string {
  const xs = [...new Set(stale.map((t) => Math.round(scale.x(t.startedAt ?? 0))))];
  const ticks = xs.map((x) => `M${x} ${px(laneTop + 1)}v5`).join("");
  return path({ class: "group-stale", d: ticks, stroke: COLOR.stale, "stroke-width": 1.5 });
}

/** One group's lane from `laneTop`: label (and stale count), tooltip area, load, stale ticks. */
function groupLane(
  group: LaneGroup,
  laneTop: number,
  makespan: number,
  scale: Scale,
  loadMax: number,
): string[] {
  const out: string[] = [];
  const mid = laneTop + GROUP_LANE_HEIGHT / 2;
  const ran = group.tasks.filter((t) => finite(t.startedAt));
  const stale = group.tasks.filter((t) => t.stale);
  const load = columnLoad(group.tasks, scale, makespan);
  const peak = Math.max(0, ...load);
  const label = `${group.label} · ${group.tasks.length} task${group.tasks.length === 1 ? "" : "s"}`;
  out.push(laneLabelText(label, mid + (stale.length > 0 ? -1 : 4), COLOR.text, "group-label"));
  if (stale.length > 0) {
    out.push(
      text(`${stale.length} stale`, {
        x: CHART_X - 10,
        y: mid + 11,
        "text-anchor": "end",
        "font-size": 10,
        fill: COLOR.stale,
        class: "group-stale-count",
      }),
    );
  }
  const base = laneTop + GROUP_LANE_HEIGHT - 4;
  const d = loadPathData(load, base, GROUP_LANE_HEIGHT - 8, loadMax);
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
      groupTooltip(group, ran, stale, makespan, peak),
    ),
  );
  if (d !== "") out.push(path({ class: "group-load", d, fill: COLOR.bar }));
  if (stale.length > 0) out.push(staleTicks(stale, laneTop, scale));
  if (ran.length === 0) out.push(notRunText(mid + 4));
  return out;
}

/** One lane per group: how many of its tasks run over time, and its stale starts as red ticks. */
function groupLanesSvg(
  groups: readonly LaneGroup[],
  makespan: number,
  lanesTop: number,
  scale: Scale,
  loadMax: number,
): string {
  return groups
    .flatMap((group, i) =>
      groupLane(group, lanesTop + i * GROUP_LANE_HEIGHT, makespan, scale, loadMax),
    )
    .join("\n");
}

/** Where a section's parts go (px from the document's top), worked out before drawing any. */
interface SectionFrame {
  /** The first task (or group) lane's top, under the title and the top axis. */
  readonly lanesTop: number;
  readonly laneCount: number;
  readonly laneHeight: number;
  /** The agent's lane, under the task lanes: a row per overlapping modification. */
  readonly agentTop: number;
  readonly agentHeight: number;
  /** The bottom of the agent's lane, where the bottom axis goes. */
  readonly chartBottom: number;
  /** The right edge of the chart (the end of the time scale). */
  readonly chartEnd: number;
}

/** The frame of a section at `top` with `laneCount` lanes and the agent's `modRows` rows. */
function sectionFrame(
  top: number,
  laneCount: number,
  laneHeight: number,
  modRows: readonly number[],
  scale: Scale,
): SectionFrame {
  const lanesTop = top + TITLE_HEIGHT + TOP_AXIS_HEIGHT;
  const rowCount = Math.max(1, ...modRows.map((r) => r + 1));
  const agentHeight = Math.max(LANE_HEIGHT, rowCount * MOD_ROW_HEIGHT + 10);
  const agentTop = lanesTop + laneCount * laneHeight;
  const chartBottom = agentTop + agentHeight;
  const chartEnd = scale.x(Number.POSITIVE_INFINITY);
  return { lanesTop, laneCount, laneHeight, agentTop, agentHeight, chartBottom, chartEnd };
}

/** A section's opening `<g>`, its data attributes saying which run it shows and how. */
function sectionOpenTag(report: SimulationReport, grouped: boolean): string {
  return `<g class="report"${attrs({ "data-gated": String(report.gated), "data-scope": report.scope, "data-grouped": grouped ? "true" : undefined })}>`;
}

/** Each task's lane: its own, or its group's. */
function laneIndex(
  tasks: readonly SimulatedTask[],
  groups: readonly LaneGroup[] | undefined,
): Map<string, number> {
  const laneOf = new Map<string, number>();
  if (groups === undefined) tasks.forEach((t, i) => laneOf.set(t.id, i));
  else groups.forEach((g, i) => g.tasks.forEach((t) => laneOf.set(t.id, i)));
  return laneOf;
}

/** A scoped run's holds, each shaded in the lane of the task it held (issue 16). */
function taskHoldRects(
  holds: readonly SimulatedHold[],
  laneOf: ReadonlyMap<string, number>,
  names: ReadonlyMap<string, string>,
  frame: SectionFrame,
  scale: Scale,
): string[] {
  const out: string[] = [];
  for (const h of holds) {
    const lane = laneOf.get(h.taskId);
    if (lane === undefined || !finite(h.from) || !finite(h.to)) continue;
    const x1 = scale.x(h.from);
    const x2 = scale.x(Math.max(h.from, h.to));
    out.push(
      rect(
        {
          class: "held task-hold",
          x: x1,
          y: frame.lanesTop + lane * frame.laneHeight + 2,
          width: Math.max(1.5, x2 - x1),
          height: frame.laneHeight - 4,
          fill: COLOR.held,
          "fill-opacity": 0.45,
        },
        taskHoldTooltip(names.get(h.taskId) ?? h.taskId, h),
      ),
    );
  }
  return out;
}

/** The whole-orion gate's held periods, each shaded across every lane and the agent's. */
function heldRects(held: readonly HeldPeriod[], frame: SectionFrame, scale: Scale): string[] {
  const out: string[] = [];
  for (const h of held) {
    if (!finite(h.from) || !finite(h.to)) continue;
    const x1 = scale.x(h.from);
    const x2 = scale.x(Math.max(h.from, h.to));
    out.push(
      rect(
        {
          class: "held",
          x: x1,
          y: frame.lanesTop,
          width: Math.max(1.5, x2 - x1),
          height: frame.chartBottom - frame.lanesTop,
          fill: COLOR.held,
          "fill-opacity": 0.28,
        },
        heldTooltip(h),
      ),
    );
  }
  return out;
}

/** The agent's lane: a dashed top line, its label, and each modification in its row. */
function agentLane(
  modifications: readonly SimulatedModification[],
  rows: readonly number[],
  names: ReadonlyMap<string, string>,
  frame: SectionFrame,
  scale: Scale,
): string[] {
  const { agentTop, agentHeight } = frame;
  const out = [
    line({
      x1: MARGIN_LEFT,
      x2: frame.chartEnd,
      y1: agentTop,
      y2: agentTop,
      stroke: COLOR.axis,
      "stroke-width": 0.5,
      "stroke-dasharray": "2 3",
    }),
    text("agent", {
      x: CHART_X - 10,
      y: agentTop + agentHeight / 2 + 4,
      "text-anchor": "end",
      "font-size": FONT_SIZE,
      "font-weight": "bold",
      fill: COLOR.modification,
      class: "agent-label",
    }),
  ];
  modifications.forEach((m, i) => {
    if (!finite(m.startedAt) || !finite(m.publishedAt)) return;
    const row = rows[i] ?? 0;
    const x1 = scale.x(m.startedAt);
    const x2 = scale.x(Math.max(m.startedAt, m.publishedAt));
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
        modificationTooltip(m, names),
      ),
    );
  });
  return out;
}

/**
 * One report's section from `top`: title and summary, the time axis above and below, the
 * lanes (a task's or a group's each) under the held periods' shading, and the agent's lane.
 */
function renderSection(
  report: SimulationReport,
  top: number,
  scale: Scale,
  layout: Layout,
): Section {
  const groups = layout.groups(report);
  const rows = modificationRows(report.modifications);
  const frame =
    groups === undefined
      ? sectionFrame(top, report.tasks.length, LANE_HEIGHT, rows, scale)
      : sectionFrame(top, groups.length, GROUP_LANE_HEIGHT, rows, scale);
  const names = new Map(report.tasks.map((t) => [t.id, taskLabel(t)] as const));
  const { lanesTop, chartBottom } = frame;
  const out = [
    sectionOpenTag(report, groups !== undefined),
    sectionHeader(report, top),
    // The axis above the lanes too: a long chart is read from the top.
    renderAxis(scale, lanesTop, "top"),
    stripes(frame.laneCount, lanesTop, frame.laneHeight, frame.chartEnd),
    gridLines(scale, lanesTop, chartBottom),
    // Held periods: a scoped run's only in the lanes of the tasks they held, else across all.
    ...(report.scope !== undefined
      ? taskHoldRects(report.taskHolds, laneIndex(report.tasks, groups), names, frame, scale)
      : heldRects(report.held, frame, scale)),
    groups === undefined
      ? taskLanes(report.tasks, report.makespan, lanesTop, scale)
      : groupLanesSvg(groups, report.makespan, lanesTop, scale, layout.loadMax),
    ...agentLane(report.modifications, rows, names, frame, scale),
    renderAxis(scale, chartBottom, "bottom"),
    "</g>",
  ];
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
