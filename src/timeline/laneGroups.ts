/**
 * Large reports (issue 17): their lanes grouped by dependency level (or by order of start), each
 * group drawn as how many of its tasks run in each pixel column of the chart.
 * @module
 */
import type { SimulatedTask } from "../simulation/types.js";
import { finite, type Scale } from "./scales.js";
import { CHART_WIDTH, CHART_X } from "./style.js";

/** From this many tasks in a report, lanes are grouped by level. */
export const GROUP_FROM = 40;
/** At most this many groups per report: consecutive levels share a group beyond it. */
const MAX_GROUPS = 30;

/** A group of lanes: the tasks of consecutive dependency levels (or of a band of start times). */
export interface LaneGroup {
  readonly label: string;
  readonly tasks: readonly SimulatedTask[];
}

/**
 * Each task's dependency level: 0 for a task with no predecessor, else one more than its
 * deepest predecessor. Tasks on a cycle (or behind one) get no level.
 */
export function taskLevels(
  taskIds: readonly string[],
  dependencies: Iterable<{ readonly fromTaskId: string; readonly toTaskId: string }>,
): Map<string, number> {
  const known = new Set(taskIds);
  const waitsFor = new Map<string, number>();
  const next = new Map<string, string[]>();
  for (const { fromTaskId, toTaskId } of dependencies) {
    if (!known.has(fromTaskId) || !known.has(toTaskId)) continue;
    waitsFor.set(toTaskId, (waitsFor.get(toTaskId) ?? 0) + 1);
    const list = next.get(fromTaskId);
    if (list === undefined) next.set(fromTaskId, [toTaskId]);
    else list.push(toTaskId);
  }
  const levels = new Map<string, number>();
  const queue = taskIds.filter((id) => !waitsFor.has(id));
  for (const id of queue) levels.set(id, 0);
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i] ?? "";
    const level = levels.get(id) ?? 0;
    for (const to of next.get(id) ?? []) {
      levels.set(to, Math.max(levels.get(to) ?? 0, level + 1));
      const left = (waitsFor.get(to) ?? 1) - 1;
      waitsFor.set(to, left);
      if (left === 0) queue.push(to);
    }
  }
  for (const id of taskIds) if ((waitsFor.get(id) ?? 0) > 0) levels.delete(id);
  return levels;
}

/**
 * The groups of a large report: by level when `levels` is given (consecutive levels share a
 * group beyond {@link MAX_GROUPS}; tasks without a level last), else by order of start.
 */
export function groupLanes(
  tasks: readonly SimulatedTask[],
  levels?: ReadonlyMap<string, number>,
): LaneGroup[] {
  if (levels === undefined) {
    const order = [...tasks].sort(
      (a, b) =>
        (a.startedAt ?? Number.POSITIVE_INFINITY) - (b.startedAt ?? Number.POSITIVE_INFINITY),
    );
    const size = Math.ceil(order.length / MAX_GROUPS);
    const groups: LaneGroup[] = [];
    for (let i = 0; i < order.length; i += size) {
      const chunk = order.slice(i, i + size);
      groups.push({ label: `starts ${i + 1}–${i + chunk.length}`, tasks: chunk });
    }
    return groups;
  }
  const maxLevel = Math.max(-1, ...tasks.map((t) => levels.get(t.id) ?? -1));
  const band = Math.max(1, Math.ceil((maxLevel + 1) / MAX_GROUPS));
  const byBand = new Map<number, SimulatedTask[]>();
  const unleveled: SimulatedTask[] = [];
  for (const task of tasks) {
    const level = levels.get(task.id);
    if (level === undefined) {
      unleveled.push(task);
      continue;
    }
    const key = Math.floor(level / band);
    const list = byBand.get(key);
    if (list === undefined) byBand.set(key, [task]);
    else list.push(task);
  }
  const groups = [...byBand.entries()]
    .sort(([a], [b]) => a - b)
    .map(([key, list]) => {
      const first = key * band;
      const last = Math.min(maxLevel, first + band - 1);
      return { label: first === last ? `level ${first}` : `levels ${first}–${last}`, tasks: list };
    });
  if (unleveled.length > 0) groups.push({ label: "no level", tasks: unleveled });
  return groups;
}

/** Per pixel column of the chart: how many of `tasks` run during it. */
export function columnLoad(
  tasks: readonly SimulatedTask[],
  scale: Scale,
  makespan: number,
): Int32Array {
  const columns = Math.ceil(CHART_WIDTH);
  const diff = new Int32Array(columns + 1);
  for (const t of tasks) {
    if (!finite(t.startedAt)) continue;
    const end = finite(t.endedAt) ? t.endedAt : Math.max(t.startedAt, makespan);
    const c1 = Math.min(columns - 1, Math.floor(scale.x(t.startedAt) - CHART_X));
    const c2 = Math.min(columns, Math.max(c1 + 1, Math.ceil(scale.x(end) - CHART_X)));
    diff[c1] = (diff[c1] ?? 0) + 1;
    diff[c2] = (diff[c2] ?? 0) - 1;
  }
  const load = new Int32Array(columns);
  let running = 0;
  for (let c = 0; c < columns; c++) {
    running += diff[c] ?? 0;
    load[c] = running;
  }
  return load;
}
