/**
 * Benchmark of the reference orchestrator and the simulation per task, from 100 to 100,000
 * tasks (issue 15), against a bare Kahn walk of the same orion; and `orion-sync simulate` run
 * through the built CLI on generated orions. (Timers, subscriptions and heap around a million
 * cycles are measured by bench/leaks.ts.)
 *
 * Run alone with `node --expose-gc dist/bench/orchestrator.js` after `npm run build`.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { Session } from "node:inspector/promises";
import { tmpdir } from "node:os";
import { PerformanceObserver, type PerformanceEntry } from "node:perf_hooks";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { queueScheduler } from "rxjs";
import { createScriptedAgent } from "../src/agent/createScriptedAgent.js";
import { createEventBus } from "../src/bus.js";
import { runOrion } from "../src/orchestrator/runOrion.js";
import type { ExecuteTask } from "../src/orchestrator/types.js";
import { createOrionRun } from "../src/orion/OrionRun.js";
import type { TaskOrion } from "../src/orion/types.js";
import { DEMO_DEFAULTS } from "../src/simulation/demoOrion.js";
import { simulate } from "../src/simulation/simulate.js";
import { OrionModificationSynchronizer } from "../src/synchronizer.js";
import { formatNumber, formatRatio, formatShare, markdownTable, median, time } from "./harness.js";
import { bareWalk, layeredOrion } from "./orionRun.js";

type Config = "bare" | "plain" | "synced" | "simulate";
const CONFIGS: readonly Config[] = ["bare", "plain", "synced", "simulate"];
const SIZES = [100, 1_000, 10_000, 100_000] as const;
/** Warm-up and kept runs per size. */
const PLANS: Readonly<Record<number, { warmup: number; runs: number; simulateRuns: number }>> = {
  100: { warmup: 10, runs: 30, simulateRuns: 7 },
  1_000: { warmup: 3, runs: 15, simulateRuns: 3 },
  // The goal row reads this size: a median of 9, not 3, so that one run's collection does not
  // decide it (a run takes about 0.3 s synced).
  10_000: { warmup: 2, runs: 9, simulateRuns: 1 },
  // One gated simulate at 100,000 takes about 10 s (the CLI below runs two, with start-up).
  100_000: { warmup: 0, runs: 1, simulateRuns: 1 },
};
/**
 * Why this section forces no garbage collection between runs: measured here, a forced full GC
 * (`gc()`) before each run made the next 1,000-task run 3–5 times slower (45 ms warm, 120–230
 * ms after a forced GC, its own scavenges 10–20 ms of that), whatever the wait after it: a
 * mark-compact drops the hidden classes and inline-cache state that the short-lived objects of a
 * run had taught the JIT, and every run relearns them. A real orchestrator does not run right
 * after a forced GC, so runs follow each other, interleaved, and each pays for the garbage of
 * the one before, as in steady use.
 */
const FORCED_GC_NOTE =
  "no forced garbage collection between runs (one before each run made a 1,000-task run 3–5 " +
  "times slower, by dropping what the JIT had learnt; interleaving shares the garbage of one " +
  "run among the configurations that follow it)";
/**
 * Why the tables also give every configuration's time over all its kept runs: a median picks a
 * run like most, and at 100 and 1,000 tasks most runs see no scavenge (one of V8's young
 * collections falls every few runs there, measured here: 12 ms after about five 1,000-task
 * plain runs, which then took 17–20 µs per task against 4–6), whereas one run of 100,000
 * tasks pays for every collection its garbage causes. The median so leaves the collections
 * out of the small sizes only, and their growth to 100,000 tasks looks steeper than the cost
 * of the work does.
 */
const AMORTISED_NOTE =
  "A median leaves out the garbage collections of the small sizes (at 100 and 1,000 tasks one " +
  "of V8's young collections falls every few runs, and only the runs it falls in pay for it) " +
  "but not of the large ones (a run of 100,000 tasks pays for all its own): the total time of " +
  "a configuration's kept runs over their tasks counts them at every size alike.";
/** The configurations whose amortised cost is given (the floor allocates next to nothing). */
const AMORTISED_CONFIGS: readonly Config[] = ["plain", "synced", "simulate"];
/** The JIT warm-up before anything is measured: rounds of every configuration on this size. */
const WARM_UP_SIZE = 1_000;
const WARM_UP_ROUNDS = 3;
/**
 * The issue's goal of at most 30 µs per task at 10,000 tasks, as a ratio to the floor (what the
 * bench checks, so that it holds on any machine): on the issue's machine the bare walk took
 * 2.7 µs per task at 10,000 tasks.
 */
const SYNCED_GOAL_OVER_BARE = 30 / 2.7;
/** Sizes at which the answers carry a `newOrion` (its cost per answer grows with the orion). */
const WITH_ORION_SIZES = [100, 1_000, 3_000] as const;
/** The CLI runs: orion sizes and the wall-clock cap of one run. */
const CLI_SIZES = [10_000, 100_000] as const;
const CLI_CAP_MS = 180_000;
const SEED = 7;
/** Walks of the floor per round, the fastest kept (see `bareOnce`). */
const BARE_WALKS = 3;
/** The size and runs at which allocation per synced task is sampled (see `allocatedPerTask`). */
const ALLOCATION_SIZE = 10_000;
const ALLOCATION_RUNS = 3;
/** The sizes of `collectedPerTask`, with its kept runs of each of plain and synced at each. */
const COLLECTED_RUNS: readonly (readonly [number, number])[] = [
  [1_000, 15],
  [10_000, 6],
  [100_000, 1],
];
/** The size, runs and heap probes (fractions of the tasks started) of `retainedPerTask`. */
const RETAINED_SIZE = 10_000;
const RETAINED_RUNS = 3;
const RETAINED_PROBES = [0.1, 0.3, 0.5, 0.7, 0.9] as const;
/** The sizes `loadingPerTask` measures, with its runs at each (each on an orion of its own). */
const LOADING_RUNS: readonly (readonly [number, number])[] = [
  [100, 2_000],
  [100_000, 6],
];
/** The fold's share of a synced task at 10,000 tasks: 29–32% in CPU profiles of 8 warm runs. */
const FOLD_SHARE = 0.3;

const fmt = (n: number): string => n.toLocaleString("en-US");

function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * One `runOrion` of instant tasks, timed from the call until its promise resolves, in ns. With
 * `synced`, a synchronizer and an instant scripted agent sit on the bus: latency 0 on
 * `queueScheduler`, so each completion is answered before the next start and the gate never
 * waits for a clock; its edit changes nothing (`undefined`: no `newOrion`), or, with
 * `withOrion`, returns its view unchanged (every answer carries the whole orion).
 */
async function orchestrate(
  plan: TaskOrion,
  synced: boolean,
  withOrion = false,
  executeTask: ExecuteTask = () => null,
): Promise<number> {
  const bus = createEventBus();
  const synchronizer = synced ? new OrionModificationSynchronizer() : undefined;
  const connection = synchronizer ? bus.subscribe(synchronizer) : undefined;
  const agent = synced
    ? createScriptedAgent(bus, {
        latency: 0,
        scheduler: queueScheduler,
        edit: (_event, view) => (withOrion ? view : undefined),
      })
    : undefined;
  try {
    const start = process.hrtime.bigint();
    const result = await runOrion(plan, { bus, synchronizer, executeTask });
    const ns = Number(process.hrtime.bigint() - start);
    const size = Object.keys(plan.tasks).length;
    const answered = result.statistics?.completedModifications;
    if (
      result.outcome !== "completed" ||
      result.timings.length !== size ||
      (synced && answered !== size)
    ) {
      throw new Error(
        `benchmark run is wrong: ${result.outcome}, ${result.timings.length}/${size}`,
      );
    }
    return ns;
  } finally {
    agent?.stop();
    connection?.unsubscribe();
    synchronizer?.dispose();
  }
}

/** One gated `simulate` of `plan` with the CLI's default latencies and durations, in ns. */
function simulateOnce(plan: TaskOrion): number {
  const start = process.hrtime.bigint();
  const report = simulate(plan, {
    gated: true,
    seed: DEMO_DEFAULTS.seed,
    agentLatency: DEMO_DEFAULTS.agentLatency,
    taskDuration: DEMO_DEFAULTS.taskDuration,
  });
  const ns = Number(process.hrtime.bigint() - start);
  if (report.outcome !== "completed" || report.staleStarts !== 0) {
    throw new Error(`benchmark simulation is wrong: ${report.outcome}, ${report.staleStarts}`);
  }
  return ns;
}

/**
 * The floor, in ns: the fastest of `BARE_WALKS` walks back to back. One walk right after an
 * orchestration pays for that run's garbage (no GC is forced between runs) and varied 2× from
 * round to round here; the goal is a ratio to the floor, so an inflated floor would flatter us.
 */
function bareOnce(plan: TaskOrion, size: number): number {
  let fastest = Number.POSITIVE_INFINITY;
  for (let walk = 0; walk < BARE_WALKS; walk++) {
    const start = process.hrtime.bigint();
    const visited = bareWalk(plan);
    fastest = Math.min(fastest, Number(process.hrtime.bigint() - start));
    if (visited !== size) throw new Error(`bare walk visited ${visited} of ${size}`);
  }
  return fastest;
}

interface Timing {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** The kept runs' total over their number: the cost of a run with the garbage collections shared out. */
  readonly mean: number;
  readonly runs: number;
}

const timing = (values: readonly number[]): Timing => ({
  median: median(values),
  min: Math.min(...values),
  max: Math.max(...values),
  mean: values.reduce((sum, v) => sum + v, 0) / values.length,
  runs: values.length,
});

/**
 * Bytes allocated per task by synced runs of `plan`, from V8's sampling heap profiler (a sample
 * every 512 bytes, objects already collected included): what garbage collection pays for.
 */
async function allocatedPerTask(plan: TaskOrion, runs: number): Promise<number> {
  const session = new Session();
  session.connect();
  try {
    await session.post("HeapProfiler.startSampling", {
      samplingInterval: 512,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
    for (let r = 0; r < runs; r++) await orchestrate(plan, true);
    const { profile } = await session.post("HeapProfiler.stopSampling");
    /** The bytes sampled at `node` and below it. */
    const total = (node: typeof profile.head): number =>
      node.children.reduce((sum, child) => sum + total(child), node.selfSize);
    return total(profile.head) / runs / Object.keys(plan.tasks).length;
  } finally {
    session.disconnect();
  }
}

/**
 * Bytes the heap keeps per task while a run of `plan` goes on: heap use after a forced full
 * collection as each `RETAINED_PROBES` fraction of the tasks has started, the least-squares
 * slope over the tasks, the median of `RETAINED_RUNS` runs (tables that double their capacity
 * make any two probes uneven). `undefined` without `--expose-gc`.
 */
async function retainedPerTask(plan: TaskOrion, synced: boolean): Promise<number | undefined> {
  const gc = globalThis.gc;
  if (gc === undefined) return undefined;
  const size = Object.keys(plan.tasks).length;
  const probes = RETAINED_PROBES.map((fraction) => Math.round(fraction * size));
  const slopes: number[] = [];
  for (let run = 0; run < RETAINED_RUNS; run++) {
    const heap: number[] = [];
    let started = 0;
    await orchestrate(plan, synced, false, () => {
      started++;
      if (probes.includes(started)) {
        gc();
        heap.push(process.memoryUsage().heapUsed);
      }
      return null;
    });
    slopes.push(slope(probes, heap));
  }
  return median(slopes);
}

/** The least-squares slope of `ys` over `xs`. */
function slope(xs: readonly number[], ys: readonly number[]): number {
  const mean = (v: readonly number[]): number => v.reduce((sum, x) => sum + x, 0) / v.length;
  const mx = mean(xs);
  const my = mean(ys);
  let num = 0;
  let den = 0;
  xs.forEach((x, i) => {
    num += (x - mx) * (ys[i]! - my);
    den += (x - mx) ** 2;
  });
  return num / den;
}

/** Reading the orion, the floor and building the run, µs per task at one size: see {@link loadingPerTask}. */
interface Loading {
  readonly size: number;
  readonly read: number;
  readonly bare: number;
  readonly load: number;
}

/** Reads every task (by key) and every dependency of `o` once: the least any run does. */
function readOrion(o: TaskOrion): number {
  let read = 0;
  const keys = Object.keys(o.tasks);
  for (let i = 0; i < keys.length; i++) if (o.tasks[keys[i]!]!.id !== "") read++;
  const dependencies = Object.values(o.dependencies);
  for (let i = 0; i < dependencies.length; i++) {
    if (dependencies[i]!.fromTaskId !== dependencies[i]!.toTaskId) read++;
  }
  return read;
}

/**
 * Reading the orion, the floor and `createOrionRun` (validation, indexing by id, order, a node
 * per task: what every run starts with), one after the other on an orion of `size` tasks made
 * afresh each time (the library remembers what it read of a frozen record), `runs` times, the
 * fastest of each kept: all three timed the way the floor is, so their growth compares.
 */
function loadingPerTask(size: number, runs: number): Loading {
  const fastest = {
    read: Number.POSITIVE_INFINITY,
    bare: Number.POSITIVE_INFINITY,
    load: Number.POSITIVE_INFINITY,
  };
  const steps: readonly [keyof typeof fastest, (o: TaskOrion) => unknown][] = [
    ["read", readOrion],
    ["bare", bareWalk],
    ["load", createOrionRun],
  ];
  for (let r = 0; r < runs; r++) {
    for (const [name, step] of steps) {
      const plan = layeredOrion(size, SEED);
      fastest[name] = Math.min(
        fastest[name],
        time(() => step(plan)),
      );
    }
  }
  const us = (ns: number): number => ns / size / 1_000;
  return { size, read: us(fastest.read), bare: us(fastest.bare), load: us(fastest.load) };
}

/** Per task: time, and the part of it V8's collections took (its `gc` performance entries). */
interface Collected {
  readonly us: number;
  readonly gcUs: number;
}

/**
 * Plain runs of `plan`, then synced ones, `runs` of each after one of each, with the
 * time V8 spent collecting garbage during each configuration's runs: its pauses that began
 * inside them, so a lower bound (marking steps, and collections between runs, are not counted).
 */
async function collectedPerTask(
  plan: TaskOrion,
  runs: number,
): Promise<Record<"plain" | "synced", Collected>> {
  const size = Object.keys(plan.tasks).length;
  const spans: { config: "plain" | "synced"; from: number; to: number }[] = [];
  const collections: { at: number; ms: number }[] = [];
  const record = (entries: readonly PerformanceEntry[]): void => {
    for (const entry of entries) collections.push({ at: entry.startTime, ms: entry.duration });
  };
  const observer = new PerformanceObserver((list) => record(list.getEntries()));
  observer.observe({ entryTypes: ["gc"] });
  try {
    // One block per configuration, not interleaved: a collection falls in the run whose
    // allocation triggered it, mostly, so plain's garbage is not charged to synced. Each
    // block's first run pays for the garbage before it and is not kept.
    for (const config of ["plain", "synced"] as const) {
      for (let r = 0; r <= runs; r++) {
        await tick();
        const from = performance.now();
        await orchestrate(plan, config === "synced");
        if (r > 0) spans.push({ config, from, to: performance.now() });
      }
    }
    // A collection reaches the observer two turns after it; what is still queued then is taken.
    await tick();
    await tick();
    record(observer.takeRecords());
  } finally {
    observer.disconnect();
  }
  const of = (config: "plain" | "synced"): Collected => {
    const mine = spans.filter((span) => span.config === config);
    const ms = mine.reduce((sum, span) => sum + span.to - span.from, 0);
    const gcMs = collections
      .filter((c) => mine.some((span) => c.at >= span.from && c.at < span.to))
      .reduce((sum, c) => sum + c.ms, 0);
    return { us: (ms * 1_000) / runs / size, gcUs: (gcMs * 1_000) / runs / size };
  };
  return { plain: of("plain"), synced: of("synced") };
}

/** What one CLI run of `orion-sync simulate` measured. */
interface CliRun {
  readonly size: number;
  readonly ms: number;
  readonly finished: boolean;
  /** The last progress line (stderr) when it was stopped. */
  readonly lastProgress: string;
}

/** `orion-sync simulate <file> --json` through the built CLI, stopped after `CLI_CAP_MS`. */
async function cliRun(size: number, directory: string): Promise<CliRun> {
  const plan = layeredOrion(size, SEED);
  const file = join(directory, `orion-${size}.json`);
  await writeFile(file, JSON.stringify(plan));
  const main = join(dirname(fileURLToPath(import.meta.url)), "..", "src", "cli", "main.js");
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [main, "simulate", file, "--json"], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let lastProgress = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      const lines = chunk.trim().split("\n");
      lastProgress = lines[lines.length - 1] ?? lastProgress;
    });
    const cap = setTimeout(() => child.kill(), CLI_CAP_MS);
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(cap);
      const ms = performance.now() - start;
      if (code !== 0 && code !== null) reject(new Error(`orion-sync simulate exited ${code}`));
      else resolve({ size, ms, finished: code === 0, lastProgress });
    });
  });
}

/** Runs the benchmark and returns its Markdown section. */
export async function benchOrchestrator(): Promise<string> {
  const began = process.hrtime.bigint();
  const timings = new Map<string, Timing>();
  const key = (config: Config, size: number): string => `${config}/${size}`;

  // Warm-up for the JIT before any size is measured: a few hundred tasks run through a
  // function are not enough for V8 to optimise it, so without this the first (smallest) size
  // would measure the interpreter, not the per-task cost.
  const warm = layeredOrion(WARM_UP_SIZE, SEED + 1);
  for (let round = 0; round < WARM_UP_ROUNDS; round++) {
    bareOnce(warm, WARM_UP_SIZE);
    await orchestrate(warm, false);
    await orchestrate(warm, true);
    simulateOnce(warm);
  }

  for (const size of SIZES) {
    const plan = layeredOrion(size, SEED);
    const { warmup, runs, simulateRuns } = PLANS[size]!;
    const cases: [Config, () => Promise<number>][] = [
      ["bare", () => Promise.resolve(bareOnce(plan, size))],
      ["plain", () => orchestrate(plan, false)],
      ["synced", () => orchestrate(plan, true)],
    ];
    const values = new Map<Config, number[]>();
    // Interleaved rounds, each run after an event-loop turn. No forced GC between runs: see
    // `FORCED_GC_NOTE`.
    for (let round = 0; round < warmup + runs; round++) {
      for (const [config, run] of cases) {
        await tick();
        const ns = await run();
        if (round >= warmup) values.set(config, [...(values.get(config) ?? []), ns]);
      }
    }
    if (simulateRuns > 0) {
      const sims: number[] = [];
      for (let r = 0; r < simulateRuns + (size <= 1_000 ? 1 : 0); r++) {
        await tick();
        const ns = simulateOnce(plan);
        if (size > 1_000 || r > 0) sims.push(ns);
      }
      values.set("simulate", sims);
    }
    for (const [config, v] of values) timings.set(key(config, size), timing(v));
  }

  // Answers that carry the agent's whole orion.
  const withOrion = new Map<number, Timing>();
  for (const size of WITH_ORION_SIZES) {
    const plan = layeredOrion(size, SEED);
    const v: number[] = [];
    for (let r = 0; r < 4; r++) {
      await tick();
      const ns = await orchestrate(plan, true, true);
      if (r > 0) v.push(ns);
    }
    withOrion.set(size, timing(v));
  }

  // Collection time and kept heap per task, before the allocation profile (which slows what
  // follows it); the forced collections of `retainedPerTask` come after the timed runs.
  const collected = new Map<number, Record<"plain" | "synced", Collected>>();
  for (const [size, runs] of COLLECTED_RUNS) {
    collected.set(size, await collectedPerTask(layeredOrion(size, SEED), runs));
  }
  const loading = LOADING_RUNS.map(([size, runs]) => loadingPerTask(size, runs));
  const retainedPlan = layeredOrion(RETAINED_SIZE, SEED);
  const retained = {
    plain: await retainedPerTask(retainedPlan, false),
    synced: await retainedPerTask(retainedPlan, true),
  };

  // Allocation per synced task, after every timed run in this process: the profiler leaves
  // deoptimised code behind it (runs right after it measured up to 5 times slower).
  const allocated = await allocatedPerTask(layeredOrion(ALLOCATION_SIZE, SEED), ALLOCATION_RUNS);

  // The CLI, both runs (without and with the gate), on generated orions.
  const directory = await mkdtemp(join(tmpdir(), "orion-sync-bench-"));
  const cli: CliRun[] = [];
  try {
    for (const size of CLI_SIZES) cli.push(await cliRun(size, directory));
  } finally {
    await rm(directory, { recursive: true, force: true });
  }

  // Tables.
  const us = (ns: number, size: number): number => ns / size / 1_000;
  /** µs per task of `config` at `size`: its median run, or with `mean` all its kept runs (see `AMORTISED_NOTE`). */
  const perTask = (
    config: Config,
    size: number,
    stat: "median" | "mean" = "median",
  ): number | undefined => {
    const t = timings.get(key(config, size));
    return t === undefined ? undefined : us(t[stat], size);
  };
  const amortised = (config: Config, size: number): number | undefined =>
    perTask(config, size, "mean");
  const cell = (config: Config, size: number): string => {
    const t = timings.get(key(config, size));
    if (t === undefined) return "—";
    const value = formatNumber(us(t.median, size));
    return t.runs > 1
      ? `${value} (${formatNumber(us(t.min, size))}–${formatNumber(us(t.max, size))})`
      : `${value} (1 run)`;
  };
  const over = (config: Config, size: number): string => {
    const a = perTask(config, size);
    const b = perTask("bare", size);
    return a === undefined || b === undefined ? "—" : formatRatio(a / b);
  };
  const rows = SIZES.map((size) => [
    fmt(size),
    ...CONFIGS.map((config) => cell(config, size)),
    over("plain", size),
    over("synced", size),
  ]);
  /** Largest ÷ smallest of the values measured (`undefined` ones skipped), if two or more. */
  const spread = (values: readonly (number | undefined)[]): number | undefined => {
    const measured = values.filter((v): v is number => v !== undefined);
    return measured.length < 2 ? undefined : Math.max(...measured) / Math.min(...measured);
  };
  const growth = (config: Config): number | undefined =>
    spread(SIZES.map((size) => perTask(config, size)));
  const amortisedGrowth = (config: Config): number | undefined =>
    spread(SIZES.map((size) => amortised(config, size)));
  const amortisedRows = SIZES.map((size) => [
    fmt(size),
    ...AMORTISED_CONFIGS.map((config) => {
      const a = amortised(config, size);
      return a === undefined ? "—" : formatNumber(a);
    }),
  ]);
  amortisedRows.push([
    "largest ÷ smallest µs/task",
    ...AMORTISED_CONFIGS.map((config) => {
      const g = amortisedGrowth(config);
      return g === undefined ? "—" : formatRatio(g);
    }),
  ]);
  const largest = (config: Config): number =>
    [...SIZES].reverse().find((size) => perTask(config, size) !== undefined) ?? 0;
  rows.push([
    "largest ÷ smallest µs/task",
    ...CONFIGS.map((config) => {
      const g = growth(config);
      return g === undefined ? "—" : `${formatRatio(g)} (100–${fmt(largest(config))})`;
    }),
    "",
    "",
  ]);

  const withOrionRows = WITH_ORION_SIZES.map((size) => {
    const t = withOrion.get(size)!;
    return [
      fmt(size),
      `${formatNumber(us(t.median, size))} (${formatNumber(us(t.min, size))}–${formatNumber(us(t.max, size))})`,
      perTask("synced", size) === undefined ? "—" : formatNumber(perTask("synced", size)!),
    ];
  });

  const cliRows = cli.map((r) => [
    fmt(r.size),
    r.finished
      ? `${formatNumber(r.ms / 1_000)} s`
      : `stopped after ${formatNumber(r.ms / 1_000)} s`,
    r.finished ? "—" : `\`${r.lastProgress.replace(/`/g, "'")}\``,
  ]);

  const verdict = (met: boolean): string => (met ? "met" : "**missed**");
  const flatPlain = growth("plain") ?? Number.NaN;
  const flatSynced = growth("synced") ?? Number.NaN;
  const flatSimulate = growth("simulate") ?? Number.NaN;
  const amortisedFlat = AMORTISED_CONFIGS.map((config) => amortisedGrowth(config) ?? Number.NaN);
  const synced10k = perTask("synced", 10_000) ?? Number.NaN;
  const synced10kOverBare = synced10k / (perTask("bare", 10_000) ?? Number.NaN);
  const cli100k = cli.find((r) => r.size === 100_000);
  /** µs per task of `config` at the smallest size. */
  const smallest = (config: Config): number => perTask(config, SIZES[0]) ?? Number.NaN;
  /** How much `config`'s µs per task grew from the smallest size to the largest. */
  const grew = (config: Config): number =>
    (perTask(config, SIZES[SIZES.length - 1]!) ?? Number.NaN) - smallest(config);
  const plainSmall = smallest("plain");
  /** `+d µs (r×)`: how much the last of `values` exceeds the first. */
  const growthCellOf = (values: readonly number[]): string => {
    const first = values[0]!;
    const last = values[values.length - 1]!;
    return `+${formatNumber(last - first)} µs (${formatRatio(last / first)})`;
  };
  const collected10k = collected.get(10_000)!;
  /** How much reading the orion, and building the run, grow per task from the smallest size to the largest. */
  const readGrowth = loading[loading.length - 1]!.read - loading[0]!.read;
  const loadGrowth = loading[loading.length - 1]!.load - loading[0]!.load;
  /** The 10,000-task ratio if the fold, three tenths of a synced task, cost half as much. */
  const halvedFold = synced10kOverBare * (1 - FOLD_SHARE / 2);
  const goals = [
    [
      "plain µs/task within 1.5× from 100 to 100,000",
      formatRatio(flatPlain),
      verdict(flatPlain <= 1.5),
    ],
    [
      "synced µs/task within 1.5× from 100 to 100,000",
      formatRatio(flatSynced),
      verdict(flatSynced <= 1.5),
    ],
    [
      "growth from 100 to 100,000 tasks, µs per task: floor, plain, synced (for comparison)",
      (["bare", "plain", "synced"] as const).map((c) => `+${formatNumber(grew(c))}`).join(", "),
      `(1.5× allows plain +${formatNumber(plainSmall / 2)}, synced +${formatNumber(smallest("synced") / 2)}: see “Why the cost per task grows”)`,
    ],
    [
      `simulate µs/task within 1.5× from 100 to ${fmt(largest("simulate"))}`,
      formatRatio(flatSimulate),
      verdict(flatSimulate <= 1.5),
    ],
    [
      "the same three, amortised (all runs' time ÷ their tasks), within 1.5×",
      amortisedFlat.map(formatRatio).join(", "),
      verdict(amortisedFlat.every((g) => g <= 1.5)),
    ],
    [
      `synced at 10,000 tasks ≤ ${formatRatio(SYNCED_GOAL_OVER_BARE)} bare (30 µs where bare takes 2.7 µs)`,
      `${formatRatio(synced10kOverBare)} (${formatNumber(synced10k)} µs)`,
      verdict(synced10kOverBare <= SYNCED_GOAL_OVER_BARE),
    ],
    [
      "`orion-sync simulate`, 100,000 tasks, < 60 s",
      cli100k === undefined
        ? "—"
        : cli100k.finished
          ? `${formatNumber(cli100k.ms / 1_000)} s`
          : `> ${formatNumber(cli100k.ms / 1_000)} s`,
      verdict(cli100k?.finished === true && cli100k.ms < 60_000),
    ],
  ];

  const seconds = Number(process.hrtime.bigint() - began) / 1e9;
  return [
    "## Orchestrator",
    "",
    "### Per task, from 100 to 100,000 tasks",
    "",
    "Random layered DAGs (layers of √n tasks, each task after two random tasks of the layer " +
      "before, about 2 edges per task; `bench/orionRun.ts`), µs per task (median, min–max in " +
      `parentheses), ${FORCED_GC_NOTE}, configurations interleaved round by round, after ` +
      `a warm-up of ${WARM_UP_ROUNDS} rounds of every configuration on ${fmt(WARM_UP_SIZE)} tasks ` +
      "(so the smallest size measures optimised code, not the interpreter). Runs " +
      `per size: ${SIZES.map((s) => `${PLANS[s]!.runs} after ${PLANS[s]!.warmup} (${fmt(s)})`).join(", ")}; ` +
      `simulate ${SIZES.filter((s) => PLANS[s]!.simulateRuns > 0)
        .map((s) => `${PLANS[s]!.simulateRuns} (${fmt(s)})`)
        .join(", ")}.`,
    "",
    "- **bare**: the floor, Kahn's algorithm with in-degree counts over the orion's records, " +
      "indexing included, visiting each task once and doing nothing else; per round, the " +
      `fastest of ${BARE_WALKS} walks back to back (a walk right after an orchestration pays ` +
      "for its garbage, which doubled the floor in some rounds and so halved our ratios to it).",
    "- **plain**: `runOrion` with no synchronizer, instant tasks (`executeTask: () => null`), " +
      "timed from the call until its promise resolves.",
    "- **synced**: the same with an `OrionModificationSynchronizer` on the bus, its causal gate " +
      "in the loop, and an instant scripted agent (`latency: 0` on `queueScheduler`) whose edit " +
      "changes nothing, so every completion is registered and answered before the next start.",
    "- **simulate**: `simulate(orion, { gated: true })` with the CLI's default latencies " +
      `(${DEMO_DEFAULTS.agentLatency.join("–")} ms) and durations ` +
      `(${DEMO_DEFAULTS.taskDuration.join("–")} ms) in virtual time: one of the CLI's two runs.`,
    "",
    markdownTable(
      [
        "tasks",
        "bare µs/task",
        "plain µs/task",
        "synced µs/task",
        "simulate µs/task",
        "plain / bare",
        "synced / bare",
      ],
      rows,
    ),
    "",
    `**Amortised.** ${AMORTISED_NOTE} The same runs, µs per task:`,
    "",
    markdownTable(
      ["tasks", ...AMORTISED_CONFIGS.map((config) => `${config} µs/task`)],
      amortisedRows,
    ),
    "",
    "Each step is O(1 + the task's edges): the orchestrator works on an `OrionRun` " +
      "(`src/orion/OrionRun.ts`) instead of copying the task record and recounting statuses per " +
      "transition; the agent's orion is merged by its difference from the last one; the orion of " +
      "a progress event, of `executeTask`'s context and of the result is built only when read " +
      "(from the run's history, so a late read still sees the orion right after its event). A " +
      "task whose `executeTask` returns a value or a promise runs without an observable of its " +
      "own, and its `AbortController` is made only if the signal is read. What remains grows " +
      "with the orion only through the memory hierarchy: maps of 100,000 string keys, and the " +
      "run's own records surviving the young generation, miss the CPU caches (the bare walk " +
      "slows down too, by more).",
    "",
    "### Why the cost per task grows",
    "",
    "What comes before a run starts any task, timed the way the floor is (the fastest of " +
      `${LOADING_RUNS.map(([size, runs]) => `${fmt(runs)} at ${fmt(size)} tasks`).join(" and ")}, ` +
      "each on an orion made afresh): **read** every task (by key) and every dependency of the " +
      "orion once; **bare**, the floor; **build**, `createOrionRun` (validation, indexing by " +
      "id, order, a node per task), which every run starts with. µs per task:",
    "",
    markdownTable(
      ["tasks", "read", "bare", "build"],
      [
        ...loading.map((l) => [
          fmt(l.size),
          formatNumber(l.read),
          formatNumber(l.bare),
          formatNumber(l.load),
        ]),
        [
          "growth",
          growthCellOf(loading.map((l) => l.read)),
          growthCellOf(loading.map((l) => l.bare)),
          growthCellOf(loading.map((l) => l.load)),
        ],
      ],
    ),
    "",
    "Plain runs, then synced runs (runs kept of each: " +
      `${COLLECTED_RUNS.map(([size, runs]) => `${runs} at ${fmt(size)} tasks`).join(", ")}, after ` +
      "one of each), µs per task, and of it the pauses of V8's collections that began during " +
      "the configuration's runs (its `gc` performance entries: a lower bound, since marking " +
      "steps, and collections between runs, are not counted):",
    "",
    markdownTable(
      ["tasks", "plain µs", "of which collecting", "synced µs", "of which collecting"],
      COLLECTED_RUNS.map(([size]) => {
        const c = collected.get(size)!;
        return [
          fmt(size),
          formatNumber(c.plain.us),
          `${formatNumber(c.plain.gcUs)} (${formatShare(c.plain.gcUs / c.plain.us)})`,
          formatNumber(c.synced.us),
          `${formatNumber(c.synced.gcUs)} (${formatShare(c.synced.gcUs / c.synced.us)})`,
        ];
      }),
    ),
    "",
    `While a run of ${fmt(RETAINED_SIZE)} tasks goes on, the heap keeps ` +
      `${retained.plain === undefined ? "— (no `--expose-gc`)" : fmt(Math.round(retained.plain))} ` +
      `bytes per task plain and ${retained.synced === undefined ? "—" : fmt(Math.round(retained.synced))} ` +
      "synced (the slope of heap use after a forced full collection at " +
      `${RETAINED_PROBES.map((p) => `${p * 100}%`).join(", ")} of the tasks started, median of ` +
      `${RETAINED_RUNS} runs): the run's records, its timings, and with a synchronizer the ` +
      "fold's memory of event ids, which it keeps for duplicate detection up to " +
      "`SEEN_EVENTS_LIMIT` (65,536 ids).",
    "",
    "The issue asks for a cost per task within 1.5× from 100 to 100,000 tasks: plain may then " +
      `grow by ${formatNumber(plainSmall / 2)} µs per task (half its ${formatNumber(plainSmall)} ` +
      `µs at 100 tasks), synced by ${formatNumber(smallest("synced") / 2)}. Reading the orion's ` +
      `records once, by itself, grows by ${formatNumber(readGrowth)} µs per task over that ` +
      `range, building the run by ${formatNumber(loadGrowth)}: at 100 tasks the records and ` +
      "maps sit in the CPU caches, at 100,000 they do not, and this is work every run does " +
      "before it starts a task. " +
      (loadGrowth > plainSmall / 2
        ? "Building the run alone takes more than plain's whole allowance, so plain's 1.5× is " +
          "out of reach here unless everything a run does per task after that got cheaper " +
          "as the orion grows; "
        : "Building the run alone leaves plain only " +
          `${formatNumber(plainSmall / 2 - loadGrowth)} µs for everything else to grow by; `) +
      `plain grew by ${formatNumber(grew("plain"))} and synced by ` +
      `${formatNumber(grew("synced"))} in this run (the first table), against the ` +
      `floor's ${formatNumber(grew("bare"))}: the rest is the orchestration's own ` +
      "per-task work missing the caches as its records grow, and the collections above. " +
      `The 10,000-task goal is a ratio to the floor: synced took ${formatNumber(synced10k)} µs ` +
      `per task there, ${synced10k <= 30 ? "under" : "over"} the issue's 30 µs, and ` +
      `${formatRatio(synced10kOverBare)} this run's floor of ` +
      `${formatNumber(perTask("bare", 10_000) ?? Number.NaN)} µs, against ` +
      `${formatRatio(SYNCED_GOAL_OVER_BARE)} (30 µs over the issue's 2.7 µs floor). The fold is ` +
      "about three tenths of a synced task there (CPU profile, below): halving it would bring " +
      `the ratio to about ${formatRatio(halvedFold)}.`,
    "",
    "Where **synced** spends its time (CPU profile of 8 warm runs at 10,000 tasks): about " +
      "three tenths in the synchronizer's fold (three events per task, each building a new " +
      "immutable state; with ids, 5–8 µs per event: see the fold's section, whose `ids` column " +
      `this is), at least ${formatShare(collected10k.synced.gcUs / collected10k.synced.us)} in ` +
      "garbage collection (measured above; V8's sampling heap profiler counts " +
      `${formatNumber(allocated / 1024)} KB allocated per task in ${ALLOCATION_RUNS} synced runs ` +
      `of ${fmt(ALLOCATION_SIZE)} tasks in this run: the fold's states, records and ` +
      "persistent-map versions, the orchestrator's events and progress, the agent's answers), " +
      "an eighth building the run (validation, Kahn order, one node per task), and the rest in " +
      "the orchestrator's loop, the gate, the bus and the agent. On instructions counted under " +
      "cachegrind (`node --single-threaded --predictable`, a young generation large enough that " +
      "no scavenge runs while measured, so the count repeats to 0.5%; `npm run " +
      "bench:instructions`), a synced task at 1,000 tasks costs 101.1k, as at the start of this " +
      "round (0ddc7b3), against 101.8k a round before (2c41571) and 122.3k two benches before " +
      "that (3d454b0); a plain one 33.8k, against 34.4k. This round measured where the cost " +
      "grows (above) and changed no per-task step; a task context with shared getters reading " +
      "a hidden symbol, instead of a literal's two closures (which V8 keeps in dictionary " +
      "mode, 0.4 KB each), counted 3% more instructions (100.9k → 103.8k) and was dropped. " +
      "The round before: a run builds its map of edges by dependency id only " +
      "when an agent's edit names a dependency (a 10,000-task run filled one of 20,000 entries " +
      "that nothing read), and an answer's lists are made only when filled (11.5 → 11.3 KB " +
      "allocated per synced task). Three more changes were measured and dropped after review " +
      "broke them: reading an event's own fields from one list of its names (3,300 → 1,900 " +
      "instructions per event, but a getter could then make the copy read an inherited field), " +
      "a note on a run's snapshot that its tasks are objects (a revoked proxy made it lie), and " +
      "arming the timer with the input's clock reading (a slow input made the timeout late). " +
      "The rounds before: the fold keeps the event ids it has seen by the id itself " +
      "(`src/pending/EventIdMap.ts`); it reads each event's fields by name, not in a loop over " +
      "their names; a run is built from what its validation read, by index; a task's start, " +
      "end and cancellation copy it without spreads of optional parts; and the agent answers a " +
      "batch of one orion without grouping it. Of the 101.1k, the fold takes about two fifths " +
      "(a quarter of it reading the three events: thirteen `Object.hasOwn` calls on each and " +
      "eight on its copy, so that no inherited field is ever read; 5 points arming and " +
      "clearing its timer, once per task, since no timer may be left when nothing is " +
      "pending), the run without a synchronizer about a third, and the agent, the gate and " +
      "the bus the rest. " +
      "Progress events and task contexts stay object literals with own getters, though V8 " +
      "builds such a literal through a runtime call per getter: with prototype getters a " +
      "spread of the context lost its signal, and shared getters defined on each object cost " +
      "more than they saved; `runOrion`, which reads only the result, makes no progress value " +
      "per event. On this machine the timed figures above move by up to 2–3× from run to run " +
      "(their ranges), and the floor at 10,000 tasks by up to 1.6× (1.7–2.7 µs in recent " +
      "runs), so changes of a few percent show in instructions, not here. " +
      (synced10kOverBare <= SYNCED_GOAL_OVER_BARE
        ? "The 10,000-task goal is met in this run (the table above)."
        : "The 10,000-task goal is still missed (the table above)."),
    "",
    "**Answers that carry the agent's orion.** When every answer carries a `newOrion` (here the " +
      "agent returns its view unchanged), the synchronizer checks the shape of its task and " +
      "dependency records (`checkOrion` in `src/events.ts`): a frozen record already checked is " +
      "not walked again, and an orion or frozen record the library derived from a checked one " +
      "by replacing some tasks (the simulated agent's edit) is checked by those tasks only; any other record " +
      "is walked whole, O(n) per answer. Synced µs/task, same setup:",
    "",
    markdownTable(["tasks", "answers with `newOrion`", "answers without (above)"], withOrionRows),
    "",
    "### `orion-sync simulate` through the CLI",
    "",
    "The built CLI (`node dist/src/cli/main.js simulate <file> --json`: both runs, without " +
      "and with the gate, default options) on a generated layered orion of the same kind, wall " +
      `clock including start-up and parsing, stopped after ${CLI_CAP_MS / 1_000} s:`,
    "",
    markdownTable(["tasks", "wall time", "progress when stopped"], cliRows),
    "",
    "Every answer of the simulated agent carries its edited orion (it marks the completed " +
      "tasks' dependents). Copying a task record of 100,000 keys costs 45–100 ms in V8 however " +
      "it is done (spread, `Object.assign`, a loop; a `Map` copy is not much cheaper), and the " +
      "two runs answer some 1,100 batches: when each answer copied the record, that copy took " +
      "75 of a profiled run's 110 s, and the CLI took 85.8 s. Now the agent's edit derives its " +
      "orion (`src/orion/internal/derivedOrion.ts`): the record it descends from plus the tasks " +
      "replaced since, in a persistent map its descendants share, with the plain, frozen record " +
      "built only when `orion.tasks` is read. Nothing in a simulation reads it: the " +
      "synchronizer checks a derived answer by the tasks it replaced, the orchestrator merges " +
      "it by the change the agent notes, and the agent's next edit reads the tasks it marks. " +
      "The event model is unchanged, and the CLI's output is byte-identical to the copying " +
      "version's.",
    "",
    markdownTable(["Goal (issue 15)", "Measured", "Verdict"], goals),
    "",
    `(This section took ${Math.round(seconds)} s.)`,
    "",
  ].join("\n");
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await benchOrchestrator());
}
