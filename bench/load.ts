/**
 * A load run: many random orions driven concurrently through ONE event bus and ONE
 * `OrionModificationSynchronizer`, with a scripted agent of random latencies, in virtual
 * time. Used by the leak section of `docs/performance.md` (`bench/leaks.ts`) and by the
 * load test (`test/load/`).
 *
 * Run alone with `node dist/bench/load.js [orions] [tasks]` after `npm run build`.
 */
import { map, timer } from "rxjs";
import { TestScheduler } from "rxjs/testing";
import { pathToFileURL } from "node:url";
import { createScriptedAgent, type AgentEdit } from "../src/agent/createScriptedAgent.js";
import { createEventBus } from "../src/bus.js";
import { orchestrateOrion } from "../src/orchestrator/orchestrateOrion.js";
import type { OrchestrationResult } from "../src/orchestrator/types.js";
import { orion } from "../src/orion/orion.js";
import type { TaskOrion } from "../src/orion/types.js";
import type { PendingStats } from "../src/pending/PendingState.js";
import { mulberry32, randomInt, type Random } from "../src/simulation/random.js";
import { OrionModificationSynchronizer } from "../src/synchronizer.js";

/** An inclusive range of virtual milliseconds. */
export type Range = readonly [min: number, max: number];

/** Options of {@link runLoad}. */
export interface LoadOptions {
  /** How many orions run at once. */
  readonly orions: number;
  /** Tasks per orion. */
  readonly tasks: number;
  /** Seeds the orions, the task durations and the agent latencies. Default 1. */
  readonly seed?: number;
  /** How long the agent thinks about a batch of completions, drawn per batch. Default [0, 50]. */
  readonly agentLatency?: Range;
  /** How long a task runs, drawn per task. Default [1, 60]. */
  readonly taskDuration?: Range;
  /** How many earlier tasks a task may depend on, each with probability 1/5. Default 8. */
  readonly window?: number;
  /**
   * Whether the orchestrators wait at the synchronizer's gate (default `true`). `false` still
   * merges the agent's edits before each start but does not wait for them: the race, for
   * checking that stale starts are detected.
   */
  readonly gate?: boolean;
}

/** What {@link runLoad} saw. */
export interface LoadReport {
  readonly orions: number;
  readonly tasks: number;
  /** Every orchestration's result, in the order the orions were started. */
  readonly results: readonly OrchestrationResult[];
  /** `ORION_COMPLETED` events published on the bus. */
  readonly orionsCompleted: number;
  /** Task starts whose definition lacked the agent's mark for some predecessor. */
  readonly staleStarts: number;
  /** Events published on the bus. */
  readonly events: number;
  /** The synchronizer's statistics and pending count at the end (before `dispose`). */
  readonly statistics: PendingStats;
  readonly pending: number;
  /** Scheduler actions still queued after the run (timers left behind), before teardown. */
  readonly actionsLeft: number;
  /** Live subscriptions to the synchronizer's `state$` after the run, before teardown. */
  readonly stateSubscriptionsLeft: number;
  /** Virtual milliseconds from the first start to the last event. */
  readonly virtualMs: number;
  /** Wall-clock milliseconds of the whole run (building the orions excluded). */
  readonly wallMs: number;
  /** CPU milliseconds (user + system) of this process over the same span. */
  readonly cpuMs: number;
}

/**
 * A random DAG of `tasks` tasks `t0..t<n-1>`: each task may depend on each of the `window`
 * tasks before it, with probability 1/5.
 */
export function randomOrion(id: string, tasks: number, window: number, random: Random): TaskOrion {
  let builder = orion(id);
  for (let i = 0; i < tasks; i++) {
    const after: string[] = [];
    for (let j = Math.max(0, i - window); j < i; j++) if (random() < 0.2) after.push(`t${j}`);
    builder = builder.task(`t${i}`, after.length > 0 ? { after } : {});
  }
  return builder.build();
}

/** The predecessors of each task of `plan`. */
function predecessors(plan: TaskOrion): Map<string, string[]> {
  const result = new Map<string, string[]>();
  for (const dependency of Object.values(plan.dependencies)) {
    const list = result.get(dependency.toTaskId);
    if (list) list.push(dependency.fromTaskId);
    else result.set(dependency.toTaskId, [dependency.fromTaskId]);
  }
  return result;
}

/**
 * The agent's edit: on a task's completion, marks each of its dependents with
 * `params["after_<taskId>"] = true` (as `markDependents` of the simulation does), so a
 * start without the mark is stale. Touches only the dependents, from a precomputed index,
 * so that the agent's own work does not dominate the run.
 */
function markDependentsOf(
  successors: ReadonlyMap<string, ReadonlyMap<string, string[]>>,
): AgentEdit {
  return (event, current) => {
    const targets = current && successors.get(current.id)?.get(event.taskId);
    if (!current || !targets) return undefined;
    const tasks = { ...current.tasks };
    for (const id of targets) {
      const task = tasks[id];
      if (task)
        tasks[id] = { ...task, params: { ...task.params, [`after_${event.taskId}`]: true } };
    }
    return { ...current, tasks };
  };
}

/** The dependents of each task of `plan`. */
function successorsOf(plan: TaskOrion): Map<string, string[]> {
  const result = new Map<string, string[]>();
  for (const dependency of Object.values(plan.dependencies)) {
    const list = result.get(dependency.fromTaskId);
    if (list) list.push(dependency.toTaskId);
    else result.set(dependency.fromTaskId, [dependency.toTaskId]);
  }
  return result;
}

/**
 * Runs `options.orions` random orions concurrently, all started at virtual time 0, through
 * one bus, one synchronizer (10-minute timeout) and one scripted agent (marking dependents,
 * random latency per batch) on one `TestScheduler`, flushed to the end. Tears everything
 * down before returning. Deterministic for a given seed; throws if an orchestration errors.
 */
export function runLoad(options: LoadOptions): LoadReport {
  const seed = options.seed ?? 1;
  const window = options.window ?? 8;
  const agentLatency = options.agentLatency ?? [0, 50];
  const taskDuration = options.taskDuration ?? [1, 60];
  const shapes = mulberry32(seed);
  const plans = Array.from({ length: options.orions }, (_, i) =>
    randomOrion(`orion-${i}`, options.tasks, window, shapes),
  );

  const began = performance.now();
  const cpu = process.cpuUsage();
  const scheduler = new TestScheduler(() => undefined);
  scheduler.maxFrames = Number.POSITIVE_INFINITY;
  const bus = createEventBus();
  const synchronizer = new OrionModificationSynchronizer({ scheduler });
  let stateSubscriptions = 0;
  const subscribe = synchronizer.state$.subscribe.bind(synchronizer.state$);
  synchronizer.state$.subscribe = ((...args: Parameters<typeof subscribe>) => {
    stateSubscriptions++;
    const subscription = subscribe(...args);
    subscription.add(() => stateSubscriptions--);
    return subscription;
  }) as typeof subscribe;
  const connection = bus.subscribe(synchronizer);
  let events = 0;
  let orionsCompleted = 0;
  const counter = bus.subscribe({
    onEvent: (event) => {
      events++;
      if (event.type === "ORION_COMPLETED") orionsCompleted++;
    },
  });
  const latencies = mulberry32(seed + 1);
  const agent = createScriptedAgent(bus, {
    scheduler,
    latency: () => randomInt(latencies, agentLatency),
    edit: markDependentsOf(new Map(plans.map((plan) => [plan.id, successorsOf(plan)]))),
  });
  const durations = mulberry32(seed + 2);
  const results: OrchestrationResult[] = [];
  const failures: unknown[] = [];
  for (const plan of plans) {
    orchestrateOrion(plan, {
      bus,
      scheduler,
      synchronizer,
      gate: options.gate ?? true,
      executeTask: (task) =>
        timer(randomInt(durations, taskDuration), scheduler).pipe(map(() => task.id)),
    }).subscribe({
      next: (progress) => {
        if (progress.kind === "finished") results.push(progress.result);
      },
      error: (error: unknown) => failures.push(error),
    });
  }
  scheduler.flush();
  const statistics = synchronizer.getStatistics();
  const pending = synchronizer.getPendingCount();
  const actionsLeft = scheduler.actions.length;
  const stateSubscriptionsLeft = stateSubscriptions;
  const virtualMs = scheduler.now();
  agent.stop();
  counter.unsubscribe();
  connection.unsubscribe();
  synchronizer.dispose();
  bus.close();
  const wallMs = performance.now() - began;
  const { user, system } = process.cpuUsage(cpu);
  const cpuMs = (user + system) / 1000;
  if (failures.length > 0) throw failures[0];

  let staleStarts = 0;
  const resultOf = new Map(results.map((result) => [result.orion.id, result]));
  plans.forEach((plan) => {
    const before = predecessors(plan);
    for (const timing of resultOf.get(plan.id)?.timings ?? []) {
      for (const from of before.get(timing.taskId) ?? []) {
        if (timing.definition.params[`after_${from}`] !== true) staleStarts++;
      }
    }
  });
  return {
    orions: options.orions,
    tasks: options.tasks,
    results,
    orionsCompleted,
    staleStarts,
    events,
    statistics,
    pending,
    actionsLeft,
    stateSubscriptionsLeft,
    virtualMs,
    wallMs,
    cpuMs,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const orions = Number(process.argv[2] ?? 1_000);
  const tasks = Number(process.argv[3] ?? 100);
  const report = runLoad({ orions, tasks });
  console.log({ ...report, results: `${report.results.length} results` });
}
