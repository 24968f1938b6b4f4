/** The human-readable summary: a table of the runs, side by side. */
import * as util from "node:util";
import type { SimulationReport } from "../simulation/types.js";

type Style = "red" | "green" | "bold" | "dim";

/** Colours text on a terminal (`styleText`, node >= 20.12), plain text otherwise. */
export type Stylize = (style: Style, text: string) => string;

export function stylizer(isTTY: boolean, env: NodeJS.ProcessEnv = process.env): Stylize {
  const styleText = (util as { styleText?: (format: Style, text: string) => string }).styleText;
  if (!isTTY || styleText === undefined || env["NO_COLOR"] !== undefined) return (_, text) => text;
  return (style, text) => styleText(style, text);
}

/** The label of a run: the column header and the progress line's name. */
export function runLabel(report: Pick<SimulationReport, "gated" | "scope">): string {
  if (report.scope !== undefined) return `scoped (${report.scope})`;
  return report.gated ? "with gate" : "without gate";
}

interface Row {
  readonly label: string;
  readonly value: (r: SimulationReport) => string;
  readonly style?: (r: SimulationReport) => Style | undefined;
}

const ROWS: readonly Row[] = [
  {
    label: "tasks started stale",
    value: (r) => String(r.staleStarts),
    style: (r) => (r.staleStarts > 0 ? "red" : "green"),
  },
  {
    label: "scope violations",
    value: (r) => String(r.scopeViolations.length),
    style: (r) => (r.scopeViolations.length > 0 ? "red" : undefined),
  },
  { label: "makespan (ms)", value: (r) => String(r.makespan) },
  { label: "last task ended (ms)", value: (r) => String(r.lastTaskEndedAt) },
  { label: "last answer (ms)", value: (r) => String(r.lastAnswerAt) },
  { label: "held at the gate (ms)", value: (r) => String(r.heldMs) },
  { label: "modifications", value: (r) => String(r.modifications.length) },
  {
    label: "timeouts",
    value: (r) => String(r.timeouts),
    style: (r) => (r.timeouts > 0 ? "red" : undefined),
  },
  {
    label: "tasks run",
    value: (r) => String(r.tasks.filter((t) => t.startedAt !== undefined).length),
  },
  {
    label: "outcome",
    value: (r) => r.outcome,
    style: (r) => (r.outcome === "completed" ? undefined : "red"),
  },
];

/** The summary table: one row per measure, one column per run (ungated first). */
export function formatSummary(reports: readonly SimulationReport[], style: Stylize): string[] {
  const labelWidth = Math.max(...ROWS.map((row) => row.label.length));
  const widths = reports.map((r) =>
    Math.max(runLabel(r).length, ...ROWS.map((row) => row.value(r).length)),
  );
  const header =
    " ".repeat(labelWidth) +
    reports.map((r, i) => "  " + style("bold", runLabel(r).padStart(widths[i] ?? 0))).join("");
  const lines = [header];
  for (const row of ROWS) {
    const cells = reports.map((r, i) => {
      const text = row.value(r).padStart(widths[i] ?? 0);
      const s = row.style?.(r);
      return "  " + (s === undefined ? text : style(s, text));
    });
    lines.push(row.label.padEnd(labelWidth) + cells.join(""));
  }
  return lines;
}

/**
 * What the gate did, when both runs are there: one sentence, and one for the scoped run.
 * Costs compare when the last task ended (the agent's answer to it comes later in every run).
 */
export function formatVerdict(
  without: SimulationReport | undefined,
  withGate: SimulationReport | undefined,
  scoped?: SimulationReport,
): string | undefined {
  if (without === undefined || withGate === undefined) return undefined;
  const cost = (r: SimulationReport): string => {
    const delta = r.lastTaskEndedAt - without.lastTaskEndedAt;
    const ratio = without.lastTaskEndedAt > 0 ? r.lastTaskEndedAt / without.lastTaskEndedAt : 1;
    return `${delta >= 0 ? "+" : ""}${delta} ms until the last task ended (${ratio.toFixed(2)}× ungated)`;
  };
  const whole =
    withGate.staleStarts === 0
      ? `The gate removed all ${without.staleStarts} stale start(s), for ${cost(withGate)}.`
      : `The gate left ${withGate.staleStarts} stale start(s) (modification timeouts: ${withGate.timeouts}), for ${cost(withGate)}.`;
  if (scoped === undefined) return whole;
  const violations = scoped.scopeViolations.length;
  return (
    `${whole}\n` +
    `The scoped run (${scoped.scope ?? ""}) had ${scoped.staleStarts} stale start(s) and ` +
    `${violations} scope violation(s), for ${cost(scoped)}.`
  );
}
