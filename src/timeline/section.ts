/**
 * One report's section of the timeline: its frame (where each part goes), title, axes, held
 * shading, lanes and the agent's lane, drawn in that order.
 * @module
 */
import type {
  HeldPeriod,
  SimulatedHold,
  SimulatedModification,
  SimulatedTask,
  SimulationReport,
} from "../simulation/types.js";
import type { LaneGroup } from "./laneGroups.js";
import {
  heldTooltip,
  modificationTooltip,
  reportSummary,
  reportTitle,
  taskHoldTooltip,
  taskLabel,
} from "./labels.js";
import { finite, type Scale } from "./scales.js";
import {
  AXIS_HEIGHT,
  CHART_X,
  COLOR,
  FONT_SIZE,
  GROUP_LANE_HEIGHT,
  LANE_HEIGHT,
  MARGIN_LEFT,
  MOD_HEIGHT,
  MOD_ROW_HEIGHT,
  TITLE_HEIGHT,
  TOP_AXIS_HEIGHT,
} from "./style.js";
import { attrs, line, rect, text } from "./svg.js";
import { taskLanes, groupLanesSvg } from "./lanes.js";

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

/** A drawn section and its height, so the next one goes under it. */
export interface Section {
  readonly svg: string;
  readonly height: number;
}

/** How each report is laid out: a lane per task, or grouped lanes. */
export interface Layout {
  readonly groups: (report: SimulationReport) => readonly LaneGroup[] | undefined;
  /** The largest count of tasks running at once in any group's pixel column: the y scale. */
  readonly loadMax: number;
}

/** A section's title and summary lines. */
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
export function renderAxis(scale: Scale, y: number, where: "top" | "bottom"): string {
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

/** Faint vertical lines at the ticks, from `y1` to `y2`. */
export function gridLines(scale: Scale, y1: number, y2: number): string {
  return scale.ticks
    .map((tick) => {
      const x = scale.x(tick.at);
      return line({ x1: x, x2: x, y1, y2, stroke: COLOR.grid, "stroke-width": 1 });
    })
    .join("\n");
}

/** Every other lane shaded, so a lane reads across the chart. */
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

/**
 * A held period shaded from `from` to `to` (at least 1.5 px wide, so a hold of no time still
 * shows), `height` high from `y`: the one shape of both kinds of hold.
 */
function heldShade(
  span: { from: number; to: number; class: string; opacity: number },
  y: number,
  height: number,
  tooltip: string,
  scale: Scale,
): string {
  const x1 = scale.x(span.from);
  const x2 = scale.x(Math.max(span.from, span.to));
  return rect(
    {
      class: span.class,
      x: x1,
      y,
      width: Math.max(1.5, x2 - x1),
      height,
      fill: COLOR.held,
      "fill-opacity": span.opacity,
    },
    tooltip,
  );
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
    out.push(
      heldShade(
        { from: h.from, to: h.to, class: "held task-hold", opacity: 0.45 },
        frame.lanesTop + lane * frame.laneHeight + 2,
        frame.laneHeight - 4,
        taskHoldTooltip(names.get(h.taskId) ?? h.taskId, h),
        scale,
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
    out.push(
      heldShade(
        { from: h.from, to: h.to, class: "held", opacity: 0.28 },
        frame.lanesTop,
        frame.chartBottom - frame.lanesTop,
        heldTooltip(h),
        scale,
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
export function renderSection(
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
