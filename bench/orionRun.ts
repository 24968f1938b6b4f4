/**
 * Benchmark of `createOrionRun` (src/orion/OrionRun.ts), issue 15: per-task cost of running an
 * orion to the end against a bare Kahn walk of the same orion, from 100 to 100,000 tasks; and the
 * cost of applying an agent's edit of 10 tasks to a run of 1,000 to 100,000 tasks, against the
 * whole-orion `mergeOrionStates`.
 *
 * Run alone with `node --expose-gc dist/bench/orionRun.js` after `npm run build`.
 */
import { pathToFileURL } from "node:url";
import { immer } from "../src/immer.js";
import { completeTask } from "../src/orion/completeTask.js";
import { mergeOrionStates } from "../src/orion/mergeOrionStates.js";
import { createOrionRun } from "../src/orion/OrionRun.js";
import { deriveOrionState } from "../src/orion/orionState.js";
import { startTask } from "../src/orion/startTask.js";
import type { Dependency, Task, TaskOrion } from "../src/orion/types.js";
import { mulberry32 } from "../src/simulation/random.js";
import { benchRepresentations } from "./representations.js";
import {
  collectGarbage,
  formatNumber,
  formatRatio,
  markdownTable,
  median,
  time,
} from "./harness.js";

const SIZES = [100, 1_000, 10_000, 100_000] as const;
/** Runs per size (after one warm-up run): fewer where one run takes long. */
const RUNS: Readonly<Record<number, number>> = { 100: 41, 1_000: 21, 10_000: 7, 100_000: 3 };
/** Tasks put through the model's `startTask` + `completeTask` (O(n) each) per size. */
const MODEL_TASKS = 100;

/**
 * A random layered DAG like the issue's: layers of about √n tasks, each task after two random
 * tasks of the layer before (about 2 edges per task), records frozen as the builder makes them.
 */
export function layeredOrion(size: number, seed: number): TaskOrion {
  const next = mulberry32(seed);
  const width = Math.max(1, Math.round(Math.sqrt(size)));
  const tasks = Object.create(null) as { [id: string]: Task };
  const dependencies = Object.create(null) as { [id: string]: Dependency };
  for (let i = 0; i < size; i++) {
    const id = `t${i}`;
    tasks[id] = { id, name: id, status: "pending", priority: 1 + (i % 4), params: { i } };
    const layerStart = Math.floor(i / width) * width;
    if (layerStart === 0) continue;
    for (let k = 0; k < 2; k++) {
      const from = `t${layerStart - width + Math.floor(next() * width)}`;
      const depId = `${from}->${id}`;
      dependencies[depId] = Object.freeze({
        id: depId,
        fromTaskId: from,
        toTaskId: id,
        type: "success_only" as const,
      });
    }
  }
  return {
    id: `run-${size}`,
    state: deriveOrionState({ tasks }),
    tasks: Object.freeze(tasks),
    dependencies: Object.freeze(dependencies),
  };
}

/** The floor: Kahn's algorithm with in-degree counts over the records, each task visited once. */
export function bareWalk(o: TaskOrion): number {
  const ids = Object.keys(o.tasks);
  const indegree = new Map<string, number>();
  const outgoing = new Map<string, string[]>();
  for (const id of ids) indegree.set(id, 0);
  for (const d of Object.values(o.dependencies)) {
    indegree.set(d.toTaskId, (indegree.get(d.toTaskId) ?? 0) + 1);
    const targets = outgoing.get(d.fromTaskId);
    if (targets) targets.push(d.toTaskId);
    else outgoing.set(d.fromTaskId, [d.toTaskId]);
  }
  const queue = ids.filter((id) => indegree.get(id) === 0);
  for (let head = 0; head < queue.length; head++) {
    for (const to of outgoing.get(queue[head]!) ?? []) {
      const left = indegree.get(to)! - 1;
      indegree.set(to, left);
      if (left === 0) queue.push(to);
    }
  }
  return queue.length;
}

/** Runs the orion to the end in a run: start every ready task, complete it; returns tasks run. */
function runToEnd(o: TaskOrion, snapshot: boolean): number {
  const run = createOrionRun(o);
  let done = 0;
  for (let ready = run.takeReady(Infinity, 0); ready.length > 0;) {
    for (const task of ready) run.complete(task.id, { success: true }, 1);
    done += ready.length;
    ready = run.takeReady(Infinity, 0);
  }
  if (snapshot) run.snapshot();
  return done;
}

/** The model's transitions on the plain orion: `startTask` + `completeTask` per task. */
function modelSteps(o: TaskOrion, roots: readonly string[], count: number): void {
  let current = o;
  let ids = [...roots];
  for (let n = 0; n < count && ids.length > 0; n++) {
    const id = ids.shift()!;
    current = startTask(current, id, 0);
    const { orion: next, newlyReady } = completeTask(current, id, { success: true }, 1);
    current = next;
    ids = ids.concat(newlyReady.map((t) => t.id));
  }
}

interface PerTaskRow {
  readonly size: number;
  readonly bare: number;
  readonly run: number;
  readonly runSnapshot: number;
  readonly model: number;
}

function perTask(size: number): PerTaskRow {
  const o = layeredOrion(size, 7);
  const runs = RUNS[size]!;
  const series = (f: () => void, divisor: number): number => {
    const values: number[] = [];
    for (let i = 0; i <= runs; i++) {
      collectGarbage();
      const ns = time(f) / divisor;
      if (i > 0) values.push(ns);
    }
    return median(values);
  };
  const bare = series(() => bareWalk(o), size);
  const run = series(() => runToEnd(o, false), size);
  const runSnapshot = series(() => runToEnd(o, true), size);
  const modelCount = Math.min(MODEL_TASKS, size, 1_000_000 / size);
  const targets = new Set(Object.values(o.dependencies).map((d) => d.toTaskId));
  const roots = Object.keys(o.tasks).filter((id) => !targets.has(id));
  const model = series(() => modelSteps(o, roots, modelCount), modelCount);
  return { size, bare, run, runSnapshot, model };
}

interface MergeRow {
  readonly size: number;
  readonly walk: number;
  readonly hinted: number;
  readonly whole: number;
}

/**
 * The agent edits 10 pending tasks' params of its last orion (with immer, so the other tasks
 * stay the same objects) while the run has finished 10% of the tasks.
 */
function mergeOfTen(size: number): MergeRow {
  const plan = layeredOrion(size, 11);
  const run = createOrionRun(plan);
  const finished = Math.floor(size / 10);
  for (let n = 0; n < finished;) {
    const ready = run.takeReady(finished - n, 0);
    if (ready.length === 0) break;
    for (const task of ready) run.complete(task.id, { success: true }, 1);
    n += ready.length;
  }
  const keys = Object.keys(plan.tasks);
  const rounds = size >= 100_000 ? 5 : 11;
  const edits = (agent: TaskOrion, round: number): { next: TaskOrion; changed: string[] } => {
    const changed = keys.slice(size - 10 * (round + 2), size - 10 * (round + 1));
    const next = immer.produce(agent, (draft) => {
      for (const id of changed) draft.tasks[id]!.params = { edit: round };
    });
    return { next, changed };
  };
  let agent = plan;
  const walk: number[] = [];
  const hinted: number[] = [];
  const whole: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const first = edits(agent, 2 * round);
    collectGarbage();
    walk.push(time(() => run.applyAgentOrion(first.next)));
    const second = edits(first.next, 2 * round + 1);
    collectGarbage();
    hinted.push(time(() => run.applyAgentOrion(second.next, { tasks: second.changed })));
    agent = second.next;
    // The whole-orion merge of the same edit, against the run's orion as a plain snapshot.
    const current = run.snapshot();
    const third = edits(agent, 2 * rounds + round);
    collectGarbage();
    whole.push(time(() => mergeOrionStates(third.next, current)));
  }
  const kept = (values: number[]): number => median(values.slice(1));
  return { size, walk: kept(walk), hinted: kept(hinted), whole: kept(whole) };
}

const us = (ns: number): string => formatNumber(ns / 1e3);

/** Runs the benchmarks and returns a Markdown section. */
export async function benchOrionRun(): Promise<string> {
  const perTaskRows: PerTaskRow[] = [];
  for (const size of SIZES) {
    perTaskRows.push(perTask(size));
    await Promise.resolve();
  }
  const mergeRows: MergeRow[] = [];
  for (const size of [1_000, 10_000, 100_000]) {
    mergeRows.push(mergeOfTen(size));
    await Promise.resolve();
  }
  const flatness = perTaskRows[perTaskRows.length - 1]!.run / perTaskRows[0]!.run;
  return [
    "## Incremental run (`createOrionRun`)",
    "",
    "A running orion kept as a mutable working copy (ready queue, per-task count of unsatisfied " +
      "edges, status counts, topological ranks) that publishes plain frozen `TaskOrion` " +
      "snapshots on demand (`src/orion/OrionRun.ts`, issue 15).",
    "",
    "### Per task, from 100 to 100,000 tasks",
    "",
    "Random layered DAGs (layers of √n tasks, each task after two random tasks of the layer " +
      "before, about 2 edges per task), every task instant and successful. µs per task, " +
      "median of 41 / 21 / 7 / 3 runs (100 / 1,000 / 10,000 / 100,000 tasks) after one " +
      "warm-up run, a full GC before each. **bare**: Kahn's algorithm with in-degree counts " +
      "over the records, indexing included. **run**: `createOrionRun` (validation and " +
      "indexing included) then `takeReady` / `complete` until nothing is left; **+ snapshot**: " +
      "the same plus one plain orion at the end. **model**: `startTask` + `completeTask` on " +
      `the plain orion, over the first ${MODEL_TASKS} tasks (10 at 100,000; each copies the task record).`,
    "",
    markdownTable(
      ["tasks", "bare µs/task", "run µs/task", "run + snapshot", "run / bare", "model µs/task"],
      perTaskRows.map((r) => [
        formatNumber(r.size),
        us(r.bare),
        us(r.run),
        us(r.runSnapshot),
        formatRatio(r.run / r.bare),
        us(r.model),
      ]),
    ),
    "",
    `Run per task at 100,000 tasks / at 100: ${formatRatio(flatness)} (goal ≤ 1.5×).`,
    "",
    "### Applying an agent's edit of 10 tasks",
    "",
    "The agent changed the params of 10 pending tasks of its last orion (immer, so every other " +
      "task is the same object); the run has finished 10 % of the tasks. µs per edit, median " +
      "of 4–10 edits after one. **walk**: `applyAgentOrion(agent)`, which finds the change by " +
      "walking the agent's task keys and comparing objects by identity. **hinted**: " +
      "`applyAgentOrion(agent, { tasks: changedIds })`. **whole**: `mergeOrionStates(agent, " +
      "run.snapshot())`, the whole-orion merge of the same kind of edit.",
    "",
    markdownTable(
      ["tasks", "walk µs", "hinted µs", "whole merge µs", "whole / hinted"],
      mergeRows.map((r) => [
        formatNumber(r.size),
        us(r.walk),
        us(r.hinted),
        us(r.whole),
        formatRatio(r.whole / r.hinted),
      ]),
    ),
    "",
    await benchRepresentations(),
  ].join("\n");
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await benchOrionRun());
}
