/**
 * The timeline's lanes: one per task (label, bar, stale marker) or, for a large report, one
 * per group of tasks (label, load over time, stale ticks).
 * @module
 */
import type { SimulatedTask } from "../simulation/types.js";
import { columnLoad, type LaneGroup } from "./laneGroups.js";
import { groupTooltip, laneLabel, taskTooltip } from "./labels.js";
import { finite, type Scale } from "./scales.js";
import {
  BAR_HEIGHT,
  CHART_WIDTH,
  CHART_X,
  COLOR,
  FONT_SIZE,
  GROUP_LANE_HEIGHT,
  LABEL_WIDTH,
  LANE_HEIGHT,
} from "./style.js";
import { attrs, fitText, path, px, rect, text } from "./svg.js";

/** A bar's fill: red when stale, else by status (failed, cancelled, still running, done). */
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
export function taskLanes(
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
export function groupLanesSvg(
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

/** The red diamond at a stale start's bar (also the legend's swatch). */
export function staleMarker(x: number, midY: number): string {
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
