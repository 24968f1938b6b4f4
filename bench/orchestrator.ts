/**
 * Benchmark of the reference orchestrator's overhead per task. (Timers, subscriptions and
 * heap around a million cycles are measured by bench/leaks.ts.)
 *
 * - Per-task cost of `runOrion` over a chain and a 10-layer DAG of instant tasks, without a
 *   synchronizer and with one plus an instant scripted agent, against a bare topological
 *   walk of the same orion; and the cost of the task transitions alone, which dominate.
 *
 * Run alone with `node --expose-gc dist/bench/orchestrator.js` after `npm run build`.
 */
import { pathToFileURL } from "node:url";
import { createScriptedAgent } from "../src/agent/createScriptedAgent.js";
import { createEventBus } from "../src/bus.js";
import { runOrion } from "../src/orchestrator/runOrion.js";
import type { ExecuteTask, OrchestrationResult } from "../src/orchestrator/types.js";
import { completeTask } from "../src/orion/completeTask.js";
import { orion } from "../src/orion/orion.js";
import { startTask } from "../src/orion/startTask.js";
import type { TaskOrion } from "../src/orion/types.js";
import { OrionModificationSynchronizer } from "../src/synchronizer.js";
import {
  collectGarbage,
  formatNumber,
  formatRatio,
  markdownTable,
  median,
  time,
} from "./harness.js";

type Shape = "chain" | "layered";
type Config = "bare" | "plain" | "synced";
const SHAPES: readonly Shape[] = ["chain", "layered"];
const CONFIGS: readonly Config[] = ["bare", "plain", "synced"];
/** Layers of the layered DAG; each task depends on two tasks of the layer before. */
const LAYERS = 10;

/**
 * How often each size is measured. A run costs O(n²) (see the section), about 0.5 s at
 * 1,000 tasks, 4 s at 3,000 and 65–80 s at 10,000, so 3,000 runs once per configuration and
 * 10,000 runs once, for one configuration only, to keep the section near two minutes.
 */
interface Plan {
  readonly size: number;
  readonly warmup: number;
  readonly runs: number;
  /** The orchestrated configurations measured at this size (the bare walk always is). */
  readonly orchestrated: readonly (readonly [Shape, Exclude<Config, "bare">])[];
}
const ALL: Plan["orchestrated"] = [
  ["chain", "plain"],
  ["chain", "synced"],
  ["layered", "plain"],
  ["layered", "synced"],
];
const PLANS: readonly Plan[] = [
  { size: 1_000, warmup: 1, runs: 5, orchestrated: ALL },
  { size: 3_000, warmup: 0, runs: 1, orchestrated: ALL },
  { size: 10_000, warmup: 0, runs: 1, orchestrated: [["layered", "synced"]] },
];
/** Runs of the bare walk at every size (it takes milliseconds). */
const BARE = { warmup: 2, runs: 7 } as const;
/** Tasks put through `startTask` + `completeTask` alone per run, and runs, per size. */
const TRANSITION_TASKS = 150;
const TRANSITION_RUNS = 3;
/** The gated variant (tasks that resolve in a microtask): size and runs. */
const GATED = { size: 1_000, runs: 3 } as const;

const ORION_ID = "orion-bench";

const fmt = (n: number): string => n.toLocaleString("en-US");

function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function chain(size: number): TaskOrion {
  let builder = orion(ORION_ID);
  for (let i = 0; i < size; i++)
    builder = builder.task(`t${i}`, i === 0 ? {} : { after: `t${i - 1}` });
  return builder.build();
}

/** `LAYERS` layers of `size / LAYERS` tasks; task i of a layer runs after tasks i and i+1 of the one before. */
function layered(size: number): TaskOrion {
  const width = size / LAYERS;
  let builder = orion(ORION_ID);
  for (let layer = 0; layer < LAYERS; layer++) {
    for (let i = 0; i < width; i++) {
      builder = builder.task(
        `l${layer}-${i}`,
        layer === 0 ? {} : { after: [`l${layer - 1}-${i}`, `l${layer - 1}-${(i + 1) % width}`] },
      );
    }
  }
  return builder.build();
}

const build: Readonly<Record<Shape, (size: number) => TaskOrion>> = { chain, layered };

/**
 * The floor: a topological walk with in-degree counts (Kahn) over the same orion, indexing
 * its dependency record first, and visiting each task once. Returns how many it visited.
 */
function bareWalk(plan: TaskOrion): number {
  const ids = Object.keys(plan.tasks);
  const indegree = new Map<string, number>();
  const outgoing = new Map<string, string[]>();
  for (const id of ids) indegree.set(id, 0);
  for (const dependency of Object.values(plan.dependencies)) {
    indegree.set(dependency.toTaskId, (indegree.get(dependency.toTaskId) ?? 0) + 1);
    const targets = outgoing.get(dependency.fromTaskId);
    if (targets) targets.push(dependency.toTaskId);
    else outgoing.set(dependency.fromTaskId, [dependency.toTaskId]);
  }
  const queue = ids.filter((id) => indegree.get(id) === 0);
  for (let head = 0; head < queue.length; head++) {
    for (const next of outgoing.get(queue[head] as string) ?? []) {
      const left = (indegree.get(next) ?? 0) - 1;
      indegree.set(next, left);
      if (left === 0) queue.push(next);
    }
  }
  return queue.length;
}

/** What one orchestrated run measured. */
interface Run {
  readonly ns: number;
  readonly result: OrchestrationResult;
}

const instant: ExecuteTask = () => null;
const microtask: ExecuteTask = () => Promise.resolve(null);

/**
 * One `runOrion` of `plan`, timed from the call until its promise resolves. With `synced`,
 * a synchronizer and an instant scripted agent (latency 0 on the default `asyncScheduler`)
 * sit on the bus; after the run, the agent is let answer what is still pending before
 * everything is torn down, outside the timing.
 */
async function orchestrate(
  plan: TaskOrion,
  synced: boolean,
  executeTask: ExecuteTask,
): Promise<Run> {
  const bus = createEventBus();
  const synchronizer = synced ? new OrionModificationSynchronizer() : undefined;
  const connection = synchronizer ? bus.subscribe(synchronizer) : undefined;
  const agent = synced ? createScriptedAgent(bus, { latency: 0 }) : undefined;
  try {
    const start = process.hrtime.bigint();
    const result = await runOrion(plan, { bus, synchronizer, executeTask });
    const ns = Number(process.hrtime.bigint() - start);
    const size = Object.keys(plan.tasks).length;
    if (result.outcome !== "completed" || result.timings.length !== size) {
      throw new Error(
        `benchmark run is wrong: ${result.outcome}, ${result.timings.length}/${size} ran`,
      );
    }
    for (let waited = 0; synchronizer && synchronizer.getPendingCount() > 0; waited++) {
      if (waited > 5_000) throw new Error("the scripted agent did not answer");
      await sleep(1);
    }
    return { ns, result };
  } finally {
    agent?.stop();
    connection?.unsubscribe();
    synchronizer?.dispose();
  }
}

/** Median, min and max of some runs, in ns. */
interface Timing {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly runs: number;
}

function timing(values: readonly number[]): Timing {
  return {
    median: median(values),
    min: Math.min(...values),
    max: Math.max(...values),
    runs: values.length,
  };
}

/** Runs each case once per round, with an event-loop turn and a full GC before each run. */
async function rounds(
  cases: ReadonlyMap<string, () => Promise<number>>,
  warmup: number,
  runs: number,
): Promise<Map<string, Timing>> {
  const values = new Map<string, number[]>([...cases.keys()].map((key) => [key, []]));
  for (let round = 0; round < warmup + runs; round++) {
    for (const [key, run] of cases) {
      await tick();
      collectGarbage();
      const ns = await run();
      if (round >= warmup) values.get(key)?.push(ns);
    }
  }
  return new Map([...values].map(([key, v]) => [key, timing(v)]));
}

const key = (shape: Shape, config: Config, size: number): string => `${shape}/${config}/${size}`;

/**
 * `startTask` + `completeTask` of the first `TRANSITION_TASKS` tasks of a chain of `size`,
 * alone, as the orchestrator calls them: ns per task (two transitions).
 */
function transitions(size: number): number {
  const plan = chain(size);
  let current = plan;
  const ns = time(() => {
    for (let i = 0; i < TRANSITION_TASKS; i++) {
      current = startTask(current, `t${i}`, i);
      current = completeTask(current, `t${i}`, { success: true }, i).orion;
    }
  });
  if (current.tasks[`t${TRANSITION_TASKS - 1}`]?.status !== "completed") {
    throw new Error("benchmark transitions are wrong");
  }
  return ns / TRANSITION_TASKS;
}

/** Runs the benchmark and returns its Markdown section. */
export async function benchOrchestrator(): Promise<string> {
  const began = process.hrtime.bigint();
  const plans = new Map<string, TaskOrion>();
  for (const { size } of PLANS) {
    for (const shape of SHAPES) plans.set(`${shape}/${size}`, build[shape](size));
  }
  const planOf = (shape: Shape, size: number): TaskOrion =>
    plans.get(`${shape}/${size}`) as TaskOrion;

  // The bare walk, every size and shape.
  const timings = new Map<string, Timing>();
  const bareCases = new Map<string, () => Promise<number>>();
  for (const { size } of PLANS) {
    for (const shape of SHAPES) {
      const plan = planOf(shape, size);
      bareCases.set(key(shape, "bare", size), () => {
        let visited = 0;
        const ns = time(() => (visited = bareWalk(plan)));
        if (visited !== size) throw new Error(`bare walk visited ${visited} of ${size}`);
        return Promise.resolve(ns);
      });
    }
  }
  for (const [k, t] of await rounds(bareCases, BARE.warmup, BARE.runs)) timings.set(k, t);

  // The orchestrated runs; the synced ones also record how many answers beat the finish.
  const answeredAtFinish = new Map<string, number>();
  for (const plan of PLANS) {
    const cases = new Map<string, () => Promise<number>>();
    for (const [shape, config] of plan.orchestrated) {
      const k = key(shape, config, plan.size);
      cases.set(k, async () => {
        const run = await orchestrate(planOf(shape, plan.size), config === "synced", instant);
        const answered = run.result.statistics?.completedModifications;
        if (answered !== undefined) answeredAtFinish.set(k, answered);
        return run.ns;
      });
    }
    for (const [k, t] of await rounds(cases, plan.warmup, plan.runs)) timings.set(k, t);
  }

  // The gated variant: tasks that complete in a microtask, so the gate does hold.
  const gated = new Map<
    Shape,
    { readonly ns: Timing; readonly answered: number; readonly heldMs: number }
  >();
  for (const shape of SHAPES) {
    const ns: number[] = [];
    let answered = 0;
    let heldMs = 0;
    for (let r = 0; r < GATED.runs; r++) {
      await tick();
      collectGarbage();
      const run = await orchestrate(planOf(shape, GATED.size), true, microtask);
      ns.push(run.ns);
      answered = run.result.statistics?.completedModifications ?? 0;
      heldMs = run.result.heldMs;
    }
    gated.set(shape, { ns: timing(ns), answered, heldMs });
  }

  // Transitions alone.
  const transitionNs = new Map<number, Timing>();
  for (const { size } of PLANS) {
    const runs: number[] = [];
    for (let r = 0; r < TRANSITION_RUNS; r++) {
      collectGarbage();
      runs.push(transitions(size));
    }
    transitionNs.set(size, timing(runs));
  }

  // Tables.
  const us = (ns: number, size: number): number => ns / size / 1_000;
  const cell = (shape: Shape, config: Config, size: number): string => {
    const t = timings.get(key(shape, config, size));
    if (t === undefined) return "—";
    const value = formatNumber(us(t.median, size));
    return t.runs > 1
      ? `${value} (${formatNumber(us(t.min, size))}–${formatNumber(us(t.max, size))})`
      : `${value} (1 run)`;
  };
  const ratio = (shape: Shape, a: Config, b: Config, size: number): string => {
    const x = timings.get(key(shape, a, size));
    const y = timings.get(key(shape, b, size));
    return x && y ? formatRatio(x.median / y.median) : "—";
  };
  const rows: string[][] = [];
  for (const shape of SHAPES) {
    for (const { size } of PLANS) {
      rows.push([
        `${shape}, ${fmt(size)}`,
        ...CONFIGS.map((config) => cell(shape, config, size)),
        ratio(shape, "plain", "bare", size),
        ratio(shape, "synced", "bare", size),
        ratio(shape, "synced", "plain", size),
      ]);
    }
  }
  const perTask = (shape: Shape, config: Config, size: number): number | undefined => {
    const t = timings.get(key(shape, config, size));
    return t === undefined ? undefined : us(t.median, size);
  };
  const growth = (shape: Shape, config: Config, size: number): string => {
    const big = perTask(shape, config, size);
    const small = perTask(shape, config, PLANS[0]?.size ?? 0);
    return big !== undefined && small !== undefined ? formatRatio(big / small) : "—";
  };
  for (const { size } of PLANS.slice(1)) {
    for (const shape of SHAPES) {
      rows.push([
        `${shape}: µs/task at ${fmt(size)} ÷ at ${fmt(PLANS[0]?.size ?? 0)}`,
        ...CONFIGS.map((config) => growth(shape, config, size)),
        "",
        "",
        "",
      ]);
    }
  }

  const transitionRows = PLANS.map(({ size }) => {
    const t = transitionNs.get(size) as Timing;
    const plain = perTask("chain", "plain", size) ?? perTask("layered", "synced", size);
    const run = plain === undefined ? "—" : `${Math.round((100 * t.median) / 1_000 / plain)} %`;
    return [fmt(size), formatNumber(t.median / 1_000), formatNumber(t.median / (2 * size)), run];
  });

  const small = PLANS[0]?.size ?? 0;
  const bypass = SHAPES.map(
    (shape) =>
      `${fmt(answeredAtFinish.get(key(shape, "synced", small)) ?? -1)} of ${fmt(small)} (${shape})`,
  ).join(", ");
  const gatedRows = SHAPES.map((shape) => {
    const g = gated.get(shape) as {
      readonly ns: Timing;
      readonly answered: number;
      readonly heldMs: number;
    };
    return [
      `${shape}, ${fmt(GATED.size)}`,
      `${formatNumber(us(g.ns.median, GATED.size))} (${formatNumber(us(g.ns.min, GATED.size))}–${formatNumber(us(g.ns.max, GATED.size))})`,
      `${fmt(g.answered)} of ${fmt(GATED.size)}`,
      formatNumber(g.heldMs),
    ];
  });

  const seconds = Number(process.hrtime.bigint() - began) / 1e9;
  return [
    "## Orchestrator",
    "",
    "### Overhead per task",
    "",
    `\`runOrion\` over orions of instant tasks (\`executeTask: () => null\`), timed from the call ` +
      `until its promise resolves, in µs per task (median, min–max in parentheses). Orions: a ` +
      `**chain** (each task after the previous one) and a **layered** DAG (${LAYERS} layers, each ` +
      `task after two tasks of the layer before). Configurations:`,
    "",
    "- **bare**: the floor, a topological walk with in-degree counts (Kahn) over the same " +
      "orion's records, visiting each task once and doing nothing else.",
    "- **plain**: `runOrion` with no synchronizer.",
    "- **synced**: `runOrion` with an `OrionModificationSynchronizer` on the bus and an instant " +
      "scripted agent (`createScriptedAgent(bus, { latency: 0 })`, default `asyncScheduler`).",
    "",
    `Runs: at ${fmt(PLANS[0]?.size ?? 0)} tasks ${PLANS[0]?.runs ?? 0} interleaved rounds after ` +
      `${PLANS[0]?.warmup ?? 0} discarded; at ${fmt(PLANS[1]?.size ?? 0)} **one run** per ` +
      `configuration; at ${fmt(PLANS[2]?.size ?? 0)} **one run of one configuration** (layered, ` +
      `synced): a run there takes over a minute, so repeating it, or running the other three, ` +
      `would take this section past its two-minute budget. The bare walk: ${BARE.runs} runs ` +
      `after ${BARE.warmup} at every size.`,
    "",
    markdownTable(
      [
        "Orion, tasks",
        "bare µs/task",
        "plain µs/task",
        "synced µs/task",
        "plain / bare",
        "synced / bare",
        "synced / plain",
      ],
      rows,
    ),
    "",
    "**The cost per task grows about linearly with the orion's size, so a run is O(n²)**, and so " +
      "does the ratio to the walk, which is O(n + edges). `startTask` and " +
      "`completeTask` each build a new task record by copying every key of the old one " +
      "(`replaceTasks`, O(n) per transition, two per task), and recount every status " +
      "(`countStatuses` in `stateAfter`, O(n)). The same two transitions timed alone, on the first " +
      `${TRANSITION_TASKS} tasks of a chain of n tasks (median of ${TRANSITION_RUNS}):`,
    "",
    markdownTable(
      [
        "Tasks (n)",
        "startTask + completeTask µs/task",
        "ns per task of the orion",
        "share of plain chain run",
      ],
      transitionRows,
    ),
    "",
    "CPU profiles (`node --cpu-prof`) agree. Chain of 3,000 tasks, plain (5.3 s profiled): " +
      "`replaceTasks` 71 % self time (84 % with what it calls), `countStatuses` 8 %, " +
      "`stateAfter` 3 %, garbage collection 3 %; everything else of the orchestrator (RxJS " +
      "plumbing per task, `AbortController`, events, the trampolined scheduler) is under 5 % " +
      "together. Layered DAG of 10,000 tasks, synced (60 s profiled): `replaceTasks` 57 % self time (89 % with " +
      "what it calls), recounting statuses (`stateAfter` and `countStatuses`) 31 %, garbage " +
      "collection 4 %, the synchronizer's fold (`reducePending`) 0.1 %. A transition costs 150–250 ns per task of the orion (the table above), so the fix belongs in `src/orion`, not in " +
      "the orchestrator's loop: keep the task record in a persistent (structurally shared) map, " +
      "or let the orchestrator mutate a private working copy and publish snapshots; and keep the " +
      "status counts incrementally instead of recounting them. The synchronizer and agent add " +
      "little: profiling 8 runs of the 1,000-task chain each way, synced used 8 % more CPU than " +
      "plain (about 50 µs per task), spread over RxJS plumbing, the fold (`reducePending`, " +
      "`PersistentMap`) and the agent's `observe`; wall-clock runs on this shared 2-core machine " +
      "vary more than that (see the min–max spreads).",
    "",
    `**In the synced runs the gate holds every ready moment until the agent has answered**: ` +
      `modifications answered by the agent before the orion finished: ${bypass} (counted from the ` +
      "statistics in the result). So the synced column is the cost of really waiting for an " +
      "instant agent, whose answer is a `setTimeout(0)` (about 1 ms in node), not of the " +
      "synchronizer's bookkeeping. (Before commit 6db910e, an `executeTask` that completed " +
      "synchronously bypassed the gate: its dependents were started by the scheduling loop already " +
      "running; this benchmark is what found it.) With tasks that complete in a microtask " +
      `(\`executeTask: () => Promise.resolve(null)\`), the same (${GATED.runs} runs, median):`,
    "",
    markdownTable(
      [
        "Orion, tasks",
        "synced µs/task",
        "answered before the finish",
        "ms held at the gate (last run)",
      ],
      gatedRows,
    ),
    "",
    `(This section took ${Math.round(seconds)} s.)`,
    "",
  ].join("\n");
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await benchOrchestrator());
}
