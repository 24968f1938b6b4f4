/**
 * Benchmark of the pending-modifications fold: the cost per event of a register + complete
 * cycle (a `TASK_COMPLETED`, then the `ORION_MODIFIED` that answers it) with 10, 1,000 and
 * 100,000 other modifications pending, for
 * - the floor: `Subject → scan` over one mutable `Map` (set on completion, delete on answer);
 * - the imperative port of the Python original (`bench/imperativePort.ts`), real timers;
 * - ours: `Subject → pendingModifications()` on the default `asyncScheduler`, real timers;
 * - ids: ours, with every event carrying an `eventId` and answers naming it (`onEventIds`):
 *   the causal bookkeeping (seen ids, answers by event) on top of ours;
 * and the heap each keeps per pending entry. Run alone with `node --expose-gc dist/bench/fold.js`.
 */
import { pathToFileURL } from "node:url";
import { scan, Subject, type Subscription } from "rxjs";
import type { OrionEvent, OrionModifiedEvent, TaskEvent } from "../src/events.js";
import { pendingModifications } from "../operators/pendingModifications.js";
import {
  initialPendingState,
  reducePending,
  SEEN_EVENTS_LIMIT,
} from "../src/pending/reducePending.js";
import {
  collectGarbage,
  formatNumber,
  formatRatio,
  interleave,
  markdownTable,
  median,
  time,
  type Sample,
} from "./harness.js";
import { ImperativeSynchronizer } from "./imperativePort.js";

/** Measured register + complete cycles per run (two events each). */
const CYCLES = 100_000;
/** Cycles run before timing, in each run, on other task ids. */
const WARMUP_CYCLES = 20_000;
/** How many modifications are already pending (and stay so) while cycles are timed. */
const PENDING_COUNTS = [10, 1_000, 100_000] as const;
/** Rounds discarded, then rounds kept: every configuration runs once per round. */
const WARMUP_ROUNDS = 1;
const ROUNDS = 5;
const ORION_ID = "orion-bench";

type PendingCount = (typeof PENDING_COUNTS)[number];
type Impl = "floor" | "port" | "ours" | "ids";
const IMPLS: readonly Impl[] = ["floor", "port", "ours", "ids"];

/** Something events are pushed into, and disposed of (subscriptions, timers) afterwards. */
interface Target {
  next(event: OrionEvent): void;
  dispose(): void;
}

function noop(): void {}

const makers: Readonly<Record<Impl, () => Target>> = {
  floor: () => {
    const subject = new Subject<OrionEvent>();
    const subscription: Subscription = subject
      .pipe(
        scan((map, event) => {
          if (event.type === "TASK_COMPLETED") map.set(event.taskId, event);
          else if (event.type === "ORION_MODIFIED") {
            for (const taskId of event.onTaskIds) map.delete(taskId);
          }
          return map;
        }, new Map<string, OrionEvent>()),
      )
      .subscribe(noop);
    return {
      next: (event) => subject.next(event),
      dispose: () => subscription.unsubscribe(),
    };
  },
  port: () => {
    const port = new ImperativeSynchronizer();
    return { next: (event) => port.onEvent(event), dispose: () => port.dispose() };
  },
  ids: () => makers.ours(),
  ours: () => {
    const subject = new Subject<OrionEvent>();
    const subscription = subject.pipe(pendingModifications()).subscribe(noop);
    return {
      next: (event) => subject.next(event),
      dispose: () => {
        subscription.unsubscribe();
        subject.complete();
      },
    };
  },
};

function completed(taskId: string, withId = false): TaskEvent {
  return withId
    ? { type: "TASK_COMPLETED", orionId: ORION_ID, taskId, eventId: `c-${taskId}` }
    : { type: "TASK_COMPLETED", orionId: ORION_ID, taskId };
}

function modified(taskId: string, withId = false): OrionModifiedEvent {
  return withId
    ? {
        type: "ORION_MODIFIED",
        orionId: ORION_ID,
        onTaskIds: [taskId],
        onEventIds: [`c-${taskId}`],
        eventId: `m-${taskId}`,
      }
    : { type: "ORION_MODIFIED", orionId: ORION_ID, onTaskIds: [taskId] };
}

/** Register + complete cycles on fresh task ids (a completed task id is not reused). */
function cycles(prefix: string, count: number, withIds = false): OrionEvent[] {
  const events: OrionEvent[] = [];
  for (let i = 0; i < count; i++) {
    const taskId = `${prefix}-${i}`;
    events.push(completed(taskId, withIds), modified(taskId, withIds));
  }
  return events;
}

/** Built once, outside any timing, and shared by every run (events are immutable). */
const preRegistrations: readonly TaskEvent[] = Array.from(
  { length: Math.max(...PENDING_COUNTS) },
  (_, i) => completed(`pre-${i}`),
);
const warmupEvents = cycles("warm", WARMUP_CYCLES);
const measuredEvents = cycles("task", CYCLES);
const warmupWithIds = cycles("warm", WARMUP_CYCLES, true);
const measuredWithIds = cycles("task", CYCLES, true);

function push(target: Target, events: readonly OrionEvent[], count = events.length): void {
  for (let i = 0; i < count; i++) target.next(events[i] as OrionEvent);
}

/** One run: set up with `pending` entries, warm up, time the cycles; ns per event. */
function run(impl: Impl, pending: PendingCount): number {
  const target = makers[impl]();
  try {
    push(target, preRegistrations, pending);
    push(target, impl === "ids" ? warmupWithIds : warmupEvents);
    collectGarbage();
    const measured = impl === "ids" ? measuredWithIds : measuredEvents;
    const ns = time(() => push(target, measured));
    return ns / measured.length;
  } finally {
    target.dispose();
  }
}

/** Heap bytes kept per pending entry after registering `count` modifications. */
function heapPerEntry(impl: Impl, count: number): number {
  collectGarbage();
  const before = process.memoryUsage().heapUsed;
  const target = makers[impl]();
  push(target, preRegistrations, count);
  collectGarbage();
  const after = process.memoryUsage().heapUsed;
  target.dispose();
  return (after - before) / count;
}

/**
 * Checks, before timing anything, that each target ends with exactly the pre-registered
 * entries pending, so that every cycle really registers and completes one modification.
 */
function verify(): void {
  const port = new ImperativeSynchronizer();
  const subject = new Subject<OrionEvent>();
  let pending = -1;
  let completedCount = -1;
  const subscription = subject.pipe(pendingModifications()).subscribe((state) => {
    pending = state.pending.size;
    completedCount = state.stats.completedModifications;
  });
  for (const event of [...preRegistrations.slice(0, 1000), ...warmupEvents.slice(0, 2000)]) {
    port.onEvent(event);
    subject.next(event);
  }
  subscription.unsubscribe();
  const portPending = port.pendingCount;
  port.dispose();
  if (pending !== 1000 || completedCount !== 1000 || portPending !== 1000) {
    throw new Error(
      `benchmark setup is wrong: ours has ${pending} pending and ${completedCount} ` +
        `completed, the port ${portPending} pending (expected 1000 each)`,
    );
  }
}

function key(impl: Impl, pending: PendingCount): `${Impl}@${PendingCount}` {
  return `${impl}@${pending}`;
}

/** Orion counts of the shared-id case: one event id that every one of them used. */
const SHARED_ID_ORIONS = [100, 1_000, 10_000, 100_000] as const;

/**
 * ns per event when `orions` orions each send a `TASK_STARTED` with the same event id (as runs
 * given one `runId` do), and ns per record when one later input forgets them all: the fold
 * remembers ids per orion, so neither may grow with the number of orions sharing the id.
 */
function sharedIdRun(orions: number): { readonly remember: number; readonly forget: number } {
  const events = Array.from({ length: orions }, (_, o) => ({
    type: "TASK_STARTED",
    orionId: `orion-${o}`,
    taskId: "build",
    eventId: "run:1",
    timestamp: 0,
  }));
  const timeout = 1_000;
  let state = initialPendingState(timeout, 0);
  const t0 = process.hrtime.bigint();
  for (const event of events) state = reducePending(state, { kind: "event", event }, 0);
  const t1 = process.hrtime.bigint();
  const kept = state.events.size;
  // Any input after the window purges first: every remembered id goes at once.
  state = reducePending(state, { kind: "event", event: events[0] }, 2 * timeout);
  const t2 = process.hrtime.bigint();
  // Past the limit, the input after the one that passed it purges back to it: one more is kept.
  if (kept !== Math.min(orions, SEEN_EVENTS_LIMIT + 1) || state.events.size !== 1) {
    throw new Error(`shared id: kept ${kept} of ${orions}, ${state.events.size} after the purge`);
  }
  return { remember: Number(t1 - t0) / orions, forget: Number(t2 - t1) / kept };
}

/** Runs the benchmark and returns its Markdown section. */
export async function benchFold(): Promise<string> {
  verify();
  const shared = SHARED_ID_ORIONS.map((orions) => {
    const runs = [0, 1, 2].map(() => sharedIdRun(orions));
    return {
      orions,
      remember: median(runs.map((r) => r.remember)),
      forget: median(runs.map((r) => r.forget)),
    };
  });
  const sharedRows = shared.map((r) => [
    r.orions.toLocaleString("en-US"),
    formatNumber(r.remember),
    formatNumber(r.forget),
  ]);
  const sharedGrowth = (pick: (r: (typeof shared)[number]) => number): string =>
    formatRatio(pick(shared[shared.length - 1]!) / pick(shared[0]!));
  sharedRows.push([
    "largest ÷ smallest",
    sharedGrowth((r) => r.remember),
    sharedGrowth((r) => r.forget),
  ]);
  const cases = {} as Record<`${Impl}@${PendingCount}`, () => number>;
  for (const pending of PENDING_COUNTS) {
    for (const impl of IMPLS) cases[key(impl, pending)] = () => run(impl, pending);
  }
  const samples = await interleave(cases, { warmup: WARMUP_ROUNDS, runs: ROUNDS });
  const ns = (impl: Impl, pending: PendingCount): number =>
    (samples[key(impl, pending)] as Sample).median;
  const spread = (impl: Impl, pending: PendingCount): string => {
    const s = samples[key(impl, pending)] as Sample;
    return `${formatNumber(s.min)}–${formatNumber(s.max)}`;
  };

  const timeRows = PENDING_COUNTS.map((pending) => [
    pending.toLocaleString("en-US"),
    ...IMPLS.map((impl) => `${formatNumber(ns(impl, pending))} (${spread(impl, pending)})`),
    formatRatio(ns("ours", pending) / ns("floor", pending)),
    formatRatio(ns("ours", pending) / ns("port", pending)),
    formatRatio(ns("ids", pending) / ns("ours", pending)),
  ]);
  const flat = (impl: Impl): number => ns(impl, 100_000) / ns(impl, 10);
  timeRows.push(["100,000 / 10", ...IMPLS.map((impl) => formatRatio(flat(impl))), "", "", ""]);

  const heapCount = 100_000;
  const heap = {} as Record<Impl, number>;
  for (const impl of IMPLS) {
    const runs = [0, 1, 2].map(() => heapPerEntry(impl, heapCount));
    heap[impl] = [...runs].sort((a, b) => a - b)[1] as number;
  }

  const worstFloor = Math.max(...PENDING_COUNTS.map((p) => ns("ours", p) / ns("floor", p)));
  const worstPort = Math.max(...PENDING_COUNTS.map((p) => ns("ours", p) / ns("port", p)));
  const verdict = (met: boolean): string => (met ? "met" : "**missed**");
  const targets = markdownTable(
    ["Target", "Measured (worst case)", "Verdict"],
    [
      ["ours within 3× of the floor", formatRatio(worstFloor), verdict(worstFloor <= 3)],
      ["ours faster than the imperative port", formatRatio(worstPort), verdict(worstPort < 1)],
      [
        "ours flat (≤ 1.5×) from 10 to 100,000 pending",
        formatRatio(flat("ours")),
        verdict(flat("ours") <= 1.5),
      ],
    ],
  );

  return [
    "## The pending-modifications fold",
    "",
    `Cost per event of a register + complete cycle (a \`TASK_COMPLETED\`, then the ` +
      `\`ORION_MODIFIED\` answering it, on a fresh task id) while N other modifications stay ` +
      `pending. Each run builds a fresh fold, pre-registers N modifications (10-minute ` +
      `timeout, so none expires), runs ${WARMUP_CYCLES.toLocaleString("en-US")} warm-up ` +
      `cycles, collects garbage, then times ${CYCLES.toLocaleString("en-US")} cycles ` +
      `(${measuredEvents.length.toLocaleString("en-US")} events, built beforehand). ` +
      `${ROUNDS} interleaved rounds after ${WARMUP_ROUNDS} discarded; median ns per event ` +
      `(min–max in parentheses).`,
    "",
    "- **floor**: `Subject → scan` whose accumulator `set`s / `delete`s in one mutable `Map`.",
    "- **port**: a hand-written imperative port of the Python synchronizer " +
      "(`bench/imperativePort.ts`): a deferred promise and a real `setTimeout` per " +
      "modification, cleared on completion; `onEvent` called directly.",
    "- **ours**: `Subject<OrionEvent>` piped through `pendingModifications()` " +
      "(default `asyncScheduler`, real timers), no-op observer.",
    "- **ids**: ours, with every event carrying an `eventId` and each answer naming the " +
      "completion's id (`onEventIds`): the cost of the causal bookkeeping (remembered ids, " +
      "answers by event) that redelivery detection and the causal gate rely on.",
    "",
    markdownTable(
      [
        "Pending (N)",
        "floor ns/event",
        "port ns/event",
        "ours ns/event",
        "ids ns/event",
        "ours / floor",
        "ours / port",
        "ids / ours",
      ],
      timeRows,
    ),
    "",
    `Heap kept per pending modification after registering ${heapCount.toLocaleString("en-US")} ` +
      `(\`heapUsed\` after a full GC, minus before; event objects and task ids excluded, ` +
      `median of 3)` +
      (globalThis.gc === undefined ? " — **run with `--expose-gc` for meaningful numbers**" : "") +
      ":",
    "",
    markdownTable(
      ["", "floor", "port", "ours", "ids"],
      [["bytes / pending entry", ...IMPLS.map((impl) => formatNumber(heap[impl]))]],
    ),
    "",
    targets,
    "",
    "**One event id in many orions.** Ids need only be unique within an orion, and runs given " +
      "one `runId` number their events alike. N orions each send a `TASK_STARTED` with the " +
      "same id into the reducer (`reducePending`, no operator), then one input after the " +
      `modification timeout forgets them all (past \`SEEN_EVENTS_LIMIT\`, ${SEEN_EVENTS_LIMIT.toLocaleString("en-US")}, the oldest ` +
      "go on the way); ns per event remembered and per record forgotten, median of 3:",
    "",
    markdownTable(["orions (N)", "remember ns/event", "forget ns/record"], sharedRows),
    "",
    "Flatness is also shown for the baselines: a plain `Map` slows down by a similar factor " +
      "from 10 to 100,000 entries (cache misses), so the fold's own growth is the ratio of " +
      "its factor to the floor's.",
    "",
    "Where the fold's time goes (CPU profiles of the reducer alone, `node --cpu-prof`): every " +
      "event builds a new immutable state (state, transition, stats and pending-view objects " +
      "and a persistent-map version), validates the event (`parseOrionEvent`), and keeps the " +
      "answered-records window that makes redelivered completions duplicates and late " +
      "answers visible; about a third of the time is young-generation garbage collection of " +
      "those short-lived objects. The floor does none of this (no validation, no timeouts, " +
      "one mutable map, no state per event); the port keeps one mutable map and one timer per " +
      "entry and produces no state to observe. Measured alternatives: without the " +
      "answered-records window the reducer is about twice as fast; a hash array mapped trie " +
      "instead of the rerooting map was about 2.5 times slower for this set-and-delete " +
      "traffic. Per event the fold still costs a few microseconds at most, that is hundreds " +
      "of thousands of events per second on one core, far above the rate at which tasks " +
      "complete.",
    "",
  ].join("\n");
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await benchFold());
}
