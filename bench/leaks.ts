/**
 * Leaks and memory: timers, subscriptions and heap around 1,000,000 register + complete
 * cycles through one synchronizer, around disposing one that holds 100,000 pending
 * modifications, and around a load run (`bench/load.ts`: 1,000 orions of 100 tasks through
 * one bus and one synchronizer). `leakSection()` returns the Markdown section for
 * `docs/performance.md`.
 *
 * Run alone with `node --expose-gc dist/bench/leaks.js` after `npm run build`.
 */
import { Observable } from "rxjs";
import { pathToFileURL } from "node:url";
import { createEventBus } from "../src/bus.js";
import type { OrionEvent } from "../src/events.js";
import { OrionModificationSynchronizer } from "../src/synchronizer.js";
import { collectGarbage, formatNumber, markdownTable } from "./harness.js";
import { runLoad, type LoadReport } from "./load.js";

/** Cycles through one synchronizer, pending entries of another, and the load run's size. */
const CYCLES = 1_000_000;
const PENDING = 100_000;
const LOAD = { orions: 1_000, tasks: 100 } as const;
const ORION_ID = "orion-bench";

const fmt = (n: number): string => n.toLocaleString("en-US");
const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);

function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function activeTimeouts(): number {
  return process.getActiveResourcesInfo().filter((resource) => resource === "Timeout").length;
}

/** A counter of live subscriptions: to a wrapped source, or to an observable itself. */
interface Live {
  count: number;
}

/** `source`, counting its live subscriptions in `live`. */
function counted<T>(source: Observable<T>, live: Live): Observable<T> {
  return new Observable<T>((subscriber) => {
    live.count++;
    const subscription = source.subscribe(subscriber);
    return () => {
      live.count--;
      subscription.unsubscribe();
    };
  });
}

/** Counts the live subscriptions to `observable` itself in `live` (wraps its `subscribe`). */
function countSubscriptions<T>(observable: Observable<T>, live: Live): void {
  const subscribe = observable.subscribe.bind(observable);
  observable.subscribe = ((...args: Parameters<typeof subscribe>) => {
    live.count++;
    const subscription = subscribe(...args);
    subscription.add(() => live.count--);
    return subscription;
  }) as typeof observable.subscribe;
}

/** One observation of the process: timers, resources, subscriptions and heap after a full GC. */
interface Snapshot {
  readonly label: string;
  readonly timeouts: number;
  readonly resources: number;
  /** Live subscriptions to the connected event stream and to the synchronizer's `state$`. */
  readonly subscriptions: string;
  readonly heapUsed: number;
}

async function snapshot(label: string, subscriptions = "–"): Promise<Snapshot> {
  await tick();
  collectGarbage();
  const resources = process.getActiveResourcesInfo();
  return {
    label,
    timeouts: resources.filter((resource) => resource === "Timeout").length,
    resources: resources.length,
    subscriptions,
    heapUsed: process.memoryUsage().heapUsed,
  };
}

const completed = (taskId: string): OrionEvent => ({
  type: "TASK_COMPLETED",
  orionId: ORION_ID,
  taskId,
});
const modified = (taskId: string): OrionEvent => ({
  type: "ORION_MODIFIED",
  orionId: ORION_ID,
  onTaskIds: [taskId],
});

/** The statistics, checked to add up, as one line. */
function statsLine(sync: OrionModificationSynchronizer): string {
  const s = sync.getStatistics();
  const pending = sync.getPendingCount();
  const sum = s.completedModifications + s.timeoutModifications + s.clearedModifications + pending;
  if (sum !== s.totalModifications) {
    throw new Error(`statistics do not add up: ${JSON.stringify(s)}`);
  }
  return (
    `total ${fmt(s.totalModifications)} = completed ${fmt(s.completedModifications)} + ` +
    `timed out ${fmt(s.timeoutModifications)} + cleared ${fmt(s.clearedModifications)} + ` +
    `pending ${fmt(pending)}`
  );
}

/**
 * A synchronizer connected to a bus (counted), with a gate, a `statistics$` subscriber and a
 * wait on its `state$` (counted): what `dispose()` must end. Real timers.
 */
function instrumented() {
  const bus = createEventBus();
  const events: Live = { count: 0 };
  const state: Live = { count: 0 };
  const sync = new OrionModificationSynchronizer();
  countSubscriptions(sync.state$, state);
  sync.connect(counted(bus.events$, events));
  const triggers = new Observable<number>((subscriber) => subscriber.next(0));
  triggers.pipe(sync.gate()).subscribe({ error: () => undefined });
  sync.statistics$.subscribe(() => undefined);
  const live = (): string => `${events.count} / ${state.count}`;
  return { bus, sync, live };
}

/** What the cycles and the pending entries showed. */
interface Leaks {
  readonly snapshots: readonly Snapshot[];
  readonly nsPerCycle: number;
  readonly peakTimeouts: number;
  readonly cycleStats: string;
  readonly pendingStats: string;
}

/** The cycles through one synchronizer, then `dispose()`; it is unreachable once this returns. */
async function cycle(snapshots: Snapshot[]): Promise<Omit<Leaks, "snapshots" | "pendingStats">> {
  const { bus, sync, live } = instrumented();
  let peakTimeouts = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < CYCLES; i++) {
    const taskId = `t${i}`;
    bus.publish(completed(taskId));
    if (i % 10_000 === 0) peakTimeouts = Math.max(peakTimeouts, activeTimeouts());
    bus.publish(modified(taskId));
  }
  const nsPerCycle = Number(process.hrtime.bigint() - start) / CYCLES;
  const cycleStats = statsLine(sync);
  snapshots.push(await snapshot(`cycling: after ${fmt(CYCLES)} cycles`, live()));
  sync.dispose();
  snapshots.push(await snapshot("cycling: after `dispose()`", live()));
  return { nsPerCycle, peakTimeouts, cycleStats };
}

/** The pending entries and a wait on another synchronizer, then `dispose()`. */
async function hold(snapshots: Snapshot[]): Promise<string> {
  const { bus, sync, live } = instrumented();
  for (let i = 0; i < PENDING; i++) bus.publish(completed(`p${i}`));
  const wait = sync.waitForPendingModifications();
  const pendingStats = statsLine(sync);
  snapshots.push(await snapshot(`holding: with ${fmt(PENDING)} pending and a wait`, live()));
  sync.dispose();
  if ((await wait) !== false) throw new Error("the wait did not resolve false on dispose()");
  snapshots.push(await snapshot("holding: after `dispose()`", live()));
  return pendingStats;
}

async function cycleAndHold(): Promise<Leaks> {
  const snapshots: Snapshot[] = [await snapshot("before")];
  const cycled = await cycle(snapshots);
  snapshots.push(await snapshot("cycling: after dropping it"));
  const pendingStats = await hold(snapshots);
  snapshots.push(await snapshot("holding: after dropping it"));
  return { snapshots, ...cycled, pendingStats };
}

/** The load run's figures, without its results (they are dropped before the last snapshot). */
type LoadFigures = Omit<LoadReport, "results">;

/** The load run, checked as the load test checks it, and a snapshot with its results held. */
async function runAndHold(): Promise<{
  readonly figures: LoadFigures;
  readonly holding: Snapshot;
}> {
  const { results, ...figures } = runLoad(LOAD);
  const ok =
    figures.orionsCompleted === LOAD.orions &&
    results.every((r) => r.outcome === "completed" && r.timings.length === LOAD.tasks) &&
    figures.staleStarts === 0 &&
    figures.pending === 0 &&
    figures.actionsLeft === 0 &&
    figures.stateSubscriptionsLeft === 0 &&
    figures.statistics.totalModifications === LOAD.orions * LOAD.tasks;
  if (!ok) throw new Error(`the load run is wrong: ${JSON.stringify(figures)}`);
  const holding = await snapshot("after the load run, results held");
  if (results.length !== LOAD.orions) throw new Error("results lost"); // held until here
  return { figures, holding };
}

/** The load run between snapshots: before, with its results held, and once they are dropped. */
async function load(): Promise<{
  readonly figures: LoadFigures;
  readonly before: Snapshot;
  readonly holding: Snapshot;
  readonly after: Snapshot;
}> {
  const before = await snapshot("before the load run");
  const { figures, holding } = await runAndHold();
  const after = await snapshot("after the load run, results dropped");
  return { figures, before, holding, after };
}

/** Runs the measurements and returns the `## Leaks and memory` section. */
export async function leakSection(): Promise<string> {
  const began = process.hrtime.bigint();
  const leaks = await cycleAndHold();
  const { figures: report, before, holding, after } = await load();
  const seconds = Number(process.hrtime.bigint() - began) / 1e9;
  const base = leaks.snapshots[0]?.heapUsed ?? 0;
  const rows = leaks.snapshots.map((s) => [
    s.label,
    String(s.timeouts),
    String(s.resources),
    s.subscriptions,
    mb(s.heapUsed),
    `${s.heapUsed >= base ? "+" : ""}${mb(s.heapUsed - base)}`,
  ]);
  const table = markdownTable(
    [
      "Moment",
      "Timeout",
      "All resources",
      "Subscriptions (events / state$)",
      "heapUsed MB",
      "Δ from before MB",
    ],
    rows,
  );
  const s = report.statistics;
  const tasks = report.orions * report.tasks;
  const perSecond = (count: number, ms: number): string => formatNumber(count / (ms / 1000));
  const loadTable = markdownTable(
    ["Load run", "Value"],
    [
      ["orions × tasks", `${fmt(report.orions)} × ${fmt(report.tasks)}`],
      [
        "wall time / CPU time",
        `${(report.wallMs / 1000).toFixed(1)} s / ${(report.cpuMs / 1000).toFixed(1)} s`,
      ],
      ["events on the bus", fmt(report.events)],
      [
        "events / s (wall / CPU)",
        `${perSecond(report.events, report.wallMs)} / ${perSecond(report.events, report.cpuMs)}`,
      ],
      [
        "tasks / s (wall / CPU)",
        `${perSecond(tasks, report.wallMs)} / ${perSecond(tasks, report.cpuMs)}`,
      ],
      ["virtual time", `${fmt(report.virtualMs)} ms`],
      ["`ORION_COMPLETED`", `${fmt(report.orionsCompleted)} of ${fmt(report.orions)}`],
      ["stale starts", fmt(report.staleStarts)],
      [
        "modifications",
        `total ${fmt(s.totalModifications)} = completed ${fmt(s.completedModifications)} + timed out ${fmt(s.timeoutModifications)} + cleared ${fmt(s.clearedModifications)} + pending ${fmt(report.pending)}`,
      ],
      [
        "left after the run",
        `${report.actionsLeft} scheduled actions, ${report.stateSubscriptionsLeft} subscriptions to \`state$\``,
      ],
      ["`Timeout` before → after", `${before.timeouts} → ${after.timeouts}`],
      [
        "heapUsed before → results held → results dropped",
        `${mb(before.heapUsed)} → ${mb(holding.heapUsed)} → ${mb(after.heapUsed)} MB`,
      ],
    ],
  );
  return [
    "## Leaks and memory",
    "",
    `One synchronizer (default \`asyncScheduler\`, real timers, 10-minute timeout), connected to an event bus with \`connect()\` and watched by a gate and a \`statistics$\` subscriber, takes ${fmt(CYCLES)} register + complete cycles (\`TASK_COMPLETED t\` then \`ORION_MODIFIED [t]\` on the bus, a fresh task id each, ${formatNumber(leaks.nsPerCycle / 1000)} µs per cycle), then is disposed and dropped; another holds ${fmt(PENDING)} pending modifications and a wait, then is disposed and dropped. Active resources (\`process.getActiveResourcesInfo()\`), live subscriptions (counted by wrapping the bus stream given to \`connect()\` and the synchronizer's \`state$\`) and \`heapUsed\` after a full GC (\`--expose-gc\`):`,
    "",
    table,
    "",
    `Statistics after the cycles: ${leaks.cycleStats}; with the pending entries: ${leaks.pendingStats}. At most ${leaks.peakTimeouts} \`Timeout\` was active while cycling (sampled right after a registration, every 10,000 cycles).`,
    "",
    `Load: ${fmt(LOAD.orions)} random orions of ${fmt(LOAD.tasks)} tasks (each task after each of the 8 before it with probability 1/5), all started at once and driven concurrently by the reference orchestrator through one bus, one synchronizer and one scripted agent (random latency of 0–50 ms per batch, marking each completed task's dependents), task durations of 1–60 ms, all in virtual time (\`TestScheduler\`, flushed, so the run is CPU-bound; CPU time is \`process.cpuUsage()\`, wall time varies with the machine's other load). Building the orions is not timed:`,
    "",
    loadTable,
    "",
    "The fold keeps one timer, armed at the earliest deadline, and none when nothing is pending (the Python original sleeps one timer per modification for ten minutes: a million timers after these cycles), and it forgets answered records beyond a bounded window, so the heap after a million cycles is back within a few MB of the start. `dispose()` cancels the timer, ends the connection to the bus and completes `state$`, which ends every gate, wait and `statistics$` subscription; the disposed synchronizer keeps its last state (the pending entries) until it is dropped, which is why the heap falls back only then. Every gate of a synchronizer shares one subscription to `state$` that passes on only the states that open or close the gate; before, each orchestration's gate subscribed on its own and every event cost one step per concurrent orchestration, so this load run was quadratic in the number of orions. The results of the load run (1,000 orions with their timings) are what the heap holds after it; once they are dropped, the heap is back near its start.",
    "",
    `(This section took ${seconds.toFixed(0)} s.)`,
    "",
  ].join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  console.log(await leakSection());
}
