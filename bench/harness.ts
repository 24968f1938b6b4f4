/**
 * Small benchmark helpers: timing, medians, interleaved runs and a Markdown table.
 *
 * A "case" is a function that runs one measurement and returns its cost in ns per
 * operation; it does its own setup and times only the part it means to (with {@link time}),
 * so setup (e.g. pre-registering pending entries) is never counted.
 */

/** Nanoseconds elapsed while running `fn` once. */
export function time(fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start);
}

/** The median of `values` (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** The result of several runs of one case. */
export interface Sample {
  /** Median ns per operation. */
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** Every run's ns per operation, in run order. */
  readonly runs: readonly number[];
}

function sample(runs: readonly number[]): Sample {
  return { median: median(runs), min: Math.min(...runs), max: Math.max(...runs), runs };
}

/** Collects garbage when node runs with `--expose-gc`; does nothing otherwise. */
export function collectGarbage(): void {
  globalThis.gc?.();
}

/** Lets pending timers, immediates and microtasks run between two measurements. */
function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Options of {@link measure} and {@link interleave}. */
export interface MeasureOptions {
  /** Runs discarded first (JIT warm-up). */
  readonly warmup: number;
  /** Runs kept; the median is reported. */
  readonly runs: number;
}

/** Runs `fn` (which returns ns/op) `warmup + runs` times and reports the kept runs. */
export async function measure(fn: () => number, options: MeasureOptions): Promise<Sample> {
  return (await interleave({ fn }, options)).fn as Sample;
}

/**
 * Runs every case once per round, round after round (so that drift of the machine, GC
 * pressure and JIT state affect every case alike), with a full GC and an event-loop turn
 * before each run, and reports each case's median over the kept rounds.
 */
export async function interleave<Name extends string>(
  cases: Readonly<Record<Name, () => number>>,
  options: MeasureOptions,
): Promise<Record<Name, Sample>> {
  const names = Object.keys(cases) as Name[];
  const runs = new Map<Name, number[]>(names.map((name) => [name, []]));
  for (let round = 0; round < options.warmup + options.runs; round++) {
    for (const name of names) {
      await tick();
      collectGarbage();
      const nsPerOp = cases[name]();
      if (round >= options.warmup) runs.get(name)?.push(nsPerOp);
    }
  }
  const result = {} as Record<Name, Sample>;
  for (const name of names) result[name] = sample(runs.get(name) ?? []);
  return result;
}

/** A Markdown table; the first column is left-aligned, the others right-aligned. */
export function markdownTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const align = headers.map((_, i) => (i === 0 ? ":--" : "--:"));
  const line = (cells: readonly string[]): string => `| ${cells.join(" | ")} |`;
  return [line(headers), line(align), ...rows.map(line)].join("\n");
}

/** `1234.5` → `"1,235"`; `12.34` → `"12.3"`. */
export function formatNumber(value: number): string {
  return value >= 100
    ? Math.round(value).toLocaleString("en-US")
    : value.toLocaleString("en-US", { maximumFractionDigits: 1 });
}

/** `2.345` → `"2.35×"`. */
export function formatRatio(value: number): string {
  return `${value.toFixed(2)}×`;
}

/** `0.1234` → `"12%"`. */
export function formatShare(value: number): string {
  return `${Math.round(value * 100)}%`;
}
