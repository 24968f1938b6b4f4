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
export function runLabel(report: Pick<SimulationReport, "gated">): string {
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
  { label: "makespan (ms)", value: (r) => String(r.makespan) },
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

/** One sentence on what the gate did, when both runs are there. */
export function formatVerdict(
  without: SimulationReport | undefined,
  withGate: SimulationReport | undefined,
): string | undefined {
  if (without === undefined || withGate === undefined) return undefined;
  const delta = withGate.makespan - without.makespan;
  const cost = `${delta >= 0 ? "+" : ""}${delta} ms of makespan`;
  return withGate.staleStarts === 0
    ? `The gate removed all ${without.staleStarts} stale start(s), for ${cost}.`
    : `The gate left ${withGate.staleStarts} stale start(s) (modification timeouts: ${withGate.timeouts}), for ${cost}.`;
}
