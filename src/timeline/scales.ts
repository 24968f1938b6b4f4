/**
 * The timeline's time scale: virtual ms to x in px over the chart, the ticks of its axes, and
 * how times are written. Every section of a timeline shares one scale, so runs compare.
 * @module
 */
import type { SimulationReport } from "../simulation/types.js";
import { CHART_WIDTH, CHART_X } from "./style.js";
import { round } from "./svg.js";

/** About this many intervals on an axis. */
const TARGET_TICKS = 8;

/** A tick step of 1, 2 or 5 × 10^k ms giving at most about `target` intervals over `range`. */
export function niceTickStep(range: number, target: number = TARGET_TICKS): number {
  const safeRange = Number.isFinite(range) && range > 0 ? range : 1;
  const raw = safeRange / Math.max(1, target);
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const factor of [1, 2, 5, 10]) {
    if (factor * power >= raw) return factor * power;
  }
  return 10 * power;
}

/** Formats a tick: ms below one second of range, seconds otherwise, with the step's precision. */
export function formatTick(value: number, step: number, useSeconds: boolean): string {
  if (value === 0) return "0";
  if (!useSeconds) {
    const decimals = Math.max(0, -Math.floor(Math.log10(step)));
    return `${value.toFixed(decimals)} ms`;
  }
  const decimals = Math.max(0, -Math.floor(Math.log10(step / 1000)));
  return `${(value / 1000).toFixed(decimals)} s`;
}

/** A duration for labels and tooltips: ms below one second, else seconds; `?` if unknown. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return "?";
  if (Math.abs(ms) < 1000) return `${round(ms, 1)} ms`;
  return `${round(ms / 1000, 2)} s`;
}

/** Whether `value` is a real instant (not missing, `NaN` or infinite): only those are drawn. */
export function finite(value: number | undefined): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

/** The latest instant any report shows: all sections share one scale so they can be compared. */
function timeDomain(reports: readonly SimulationReport[]): number {
  let end = 0;
  const see = (t: number | undefined): void => {
    if (finite(t) && t > end) end = t;
  };
  for (const r of reports) {
    see(r.makespan);
    for (const t of r.tasks) {
      see(t.startedAt);
      see(t.endedAt);
    }
    for (const m of r.modifications) see(m.publishedAt);
    for (const h of r.held) see(h.to);
  }
  return end > 0 ? end : 1;
}

/** Time (ms) → x (px) over the chart, and the ticks of the axes. */
export interface Scale {
  readonly x: (t: number) => number;
  readonly ticks: readonly { readonly at: number; readonly label: string }[];
}

/** The one scale of all `reports`: from 0 to a whole number of ticks past their latest instant. */
export function makeScale(reports: readonly SimulationReport[]): Scale {
  const domain = timeDomain(reports);
  const step = niceTickStep(domain);
  const end = Math.ceil(domain / step - 1e-9) * step;
  const useSeconds = end >= 1000;
  const ticks: { at: number; label: string }[] = [];
  for (let i = 0; i * step <= end + step * 1e-9; i++) {
    const at = i * step;
    ticks.push({ at, label: formatTick(at, step, useSeconds) });
  }
  const x = (t: number): number => CHART_X + (Math.min(Math.max(t, 0), end) / end) * CHART_WIDTH;
  return { x, ticks };
}
