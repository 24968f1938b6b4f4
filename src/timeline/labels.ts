/**
 * The words of the timeline: section titles and summaries, lane labels and tooltips. Plain
 * strings (escaped where the SVG primitives write them).
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
import { finite, formatDuration } from "./scales.js";

/** A section's title: the orion's name and which run it is (without, with the gate, scoped). */
export function reportTitle(report: SimulationReport): string {
  const name = report.orionName ?? report.orionId;
  if (report.scope !== undefined) return `${name} — scoped (${report.scope})`;
  return `${name} — ${report.gated ? "with the gate" : "without the gate"}`;
}

/** A section's summary line: makespan, the honest ends, stale starts, holds, outcome, seed. */
export function reportSummary(report: SimulationReport): string {
  const parts = [
    `makespan ${formatDuration(report.makespan)}`,
    // Honest makespan (issue 16): the work's end and the agent's last answer apart.
    `last task ended ${formatDuration(report.lastTaskEndedAt)}`,
    `last answer ${formatDuration(report.lastAnswerAt)}`,
    `${report.staleStarts} stale start${report.staleStarts === 1 ? "" : "s"}`,
    `${report.modifications.length} modification${report.modifications.length === 1 ? "" : "s"}`,
  ];
  if (report.gated) parts.push(`held ${formatDuration(report.heldMs)}`);
  if (report.scope !== undefined || report.scopeViolations.length > 0) {
    parts.push(`${report.scopeViolations.length} scope violation(s)`);
  }
  if (report.timeouts > 0) parts.push(`${report.timeouts} timeout(s)`);
  parts.push(`outcome ${report.outcome}`, `seed ${report.seed}`);
  return parts.join(" · ");
}

/** What a task is called: its name, or its id when the name is blank. */
export function taskLabel(task: SimulatedTask): string {
  return task.name.trim() !== "" ? task.name : task.id;
}

/**
 * Characters outside Latin, Greek, Cyrillic and common punctuation may have no font on the
 * viewer's machine (CJK without fonts draws boxes): such lanes show the id first.
 */
function mayNotRender(text: string): boolean {
  return /[^\u0020-\u052F\u1E00-\u1FFF\u2000-\u206F\u20A0-\u20CF\u2190-\u21FF\u2200-\u22FF]/u.test(
    text,
  );
}

/** The lane's label: the name, or `id · name` when the name may not render. */
export function laneLabel(task: Pick<SimulatedTask, "id" | "name">): string {
  const name = taskLabel(task as SimulatedTask);
  return name !== task.id && mayNotRender(name) ? `${task.id} · ${name}` : name;
}

/** A task bar's tooltip: its name and id, status and times, and why it is red when stale. */
export function taskTooltip(task: SimulatedTask, start: number, end: number | undefined): string {
  const lines = [
    `${taskLabel(task)} (${task.id})`,
    `${task.status}: ${formatDuration(start)} → ${end === undefined ? "…" : formatDuration(end)}`,
  ];
  if (task.stale) lines.push("stale start: began before the agent's modification was published");
  return lines.join("\n");
}

/** A held period's tooltip (the gate held every ready task). */
export function heldTooltip(h: HeldPeriod): string {
  return `held at the gate: ${formatDuration(h.from)} → ${formatDuration(h.to)}`;
}

/** A scoped run's hold of one task (`name`), for the shading in that task's lane. */
export function taskHoldTooltip(name: string, hold: SimulatedHold): string {
  return (
    `${name} held for a pending modification's scope: ` +
    `${formatDuration(hold.from)} → ${formatDuration(hold.to)}`
  );
}

/** A modification's tooltip: when the agent worked on it, and (ten at most) the tasks it answered. */
export function modificationTooltip(
  m: SimulatedModification,
  names: ReadonlyMap<string, string>,
): string {
  const listed = m.onTaskIds.slice(0, 10).map((id) => names.get(id) ?? id);
  if (m.onTaskIds.length > 10) listed.push(`and ${m.onTaskIds.length - 10} more`);
  const on = listed.join(", ");
  return (
    `agent modification ${formatDuration(m.startedAt)} → ${formatDuration(m.publishedAt)}` +
    (on === "" ? "" : `\non: ${on}`)
  );
}

/** A group lane's tooltip: its counts and, if any ran, from when to when and its peak load. */
export function groupTooltip(
  group: LaneGroup,
  ran: readonly SimulatedTask[],
  stale: readonly SimulatedTask[],
  makespan: number,
  peak: number,
): string {
  const first = Math.min(...ran.map((t) => t.startedAt ?? 0));
  const last = Math.max(...ran.map((t) => (finite(t.endedAt) ? t.endedAt : makespan)));
  return (
    `${group.label}: ${group.tasks.length} tasks, ${ran.length} ran, ${stale.length} stale` +
    (ran.length > 0
      ? `; ${formatDuration(first)} → ${formatDuration(last)}, up to ${peak} running at once`
      : "")
  );
}
