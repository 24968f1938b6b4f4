/**
 * Progress of a long simulation: a live line (`\r`) on a terminal, else a plain line on
 * stderr every few seconds, so that a log or CI shows the run is alive and how far it is.
 */
import type { SimulationProgress } from "../simulation/simulate.js";
import type { CliStream } from "./run.js";
import type { Stylize } from "./format.js";

/** From this many tasks, the CLI warns up front that the run will take a while. */
export const LARGE_ORION_TASKS = 500;

/** Default wall-clock ms between two plain progress lines (`ORION_SYNC_PROGRESS_MS` overrides). */
export const PLAIN_PROGRESS_MS = 10_000;

function seconds(ms: number): string {
  if (ms < 1000) return "under 1 s";
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** `done/total tasks, … virtual, … elapsed, ETA …`: the ETA extrapolates wall time per task. */
export function describeProgress(p: SimulationProgress, wallMs: number): string {
  const eta =
    p.done > 0 && p.done < p.total && wallMs >= 1000
      ? `, ETA ${seconds((wallMs / p.done) * (p.total - p.done))}`
      : "";
  return (
    `${p.done}/${p.total} tasks done, ${p.elapsed} ms simulated, ` +
    `${p.pending} modification(s) pending, held ${p.heldMs} ms, ${seconds(wallMs)} elapsed${eta}`
  );
}

export interface ProgressReporter {
  /** Called before each run. */
  start(label: string): void;
  /** `onProgress` of `simulate`. */
  update(p: SimulationProgress): void;
  /** Called after each run, with the line a terminal keeps. */
  end(summary: string): void;
}

/** A live line on `stream` (a terminal). */
export function liveProgress(stream: CliStream, style: Stylize, now = () => performance.now()) {
  let label = "";
  let startedAt = 0;
  let lastAt = Number.NEGATIVE_INFINITY;
  const reporter: ProgressReporter = {
    start(l) {
      label = l;
      startedAt = now();
      stream.write(`\r\x1b[2K${style("dim", `running ${label}…`)}`);
    },
    update(p) {
      const t = now();
      if (t - lastAt < 100 && p.done < p.total) return; // at most 10 redraws a second
      lastAt = t;
      stream.write(`\r\x1b[2K${style("dim", `${label}: ${describeProgress(p, t - startedAt)}`)}`);
    },
    end(summary) {
      stream.write(`\r\x1b[2K${style("green", "✓")} ${summary}\n`);
    },
  };
  return reporter;
}

/** Plain lines on `stream` (stderr), one every `intervalMs` of wall time. */
export function plainProgress(
  stream: CliStream,
  intervalMs: number,
  now = () => performance.now(),
): ProgressReporter {
  let label = "";
  let startedAt = 0;
  let lastAt = 0;
  return {
    start(l) {
      label = l;
      startedAt = lastAt = now();
    },
    update(p) {
      const t = now();
      if (t - lastAt < intervalMs) return;
      lastAt = t;
      stream.write(`orion-sync: ${label}: ${describeProgress(p, t - startedAt)}\n`);
    },
    end() {},
  };
}

/** The interval of plain lines: `ORION_SYNC_PROGRESS_MS` if it is a number >= 0. */
export function plainInterval(env: NodeJS.ProcessEnv = process.env): number {
  const value = Number(env["ORION_SYNC_PROGRESS_MS"]);
  return env["ORION_SYNC_PROGRESS_MS"] !== undefined && Number.isFinite(value) && value >= 0
    ? value
    : PLAIN_PROGRESS_MS;
}
