/**
 * The smallest honest end-to-end use of orion-sync, in real time (about 0.3 s).
 *
 * An orchestrator runs `extract → (transform, report)`. When `extract` completes, an agent
 * takes 120 ms to rewrite `transform`'s parameters. The orchestrator's ready-task stream is
 * piped through `gateReadyTasks`, so `transform` starts only after the agent's
 * `ORION_MODIFIED`, with the new parameters. Run it: `npm run example`.
 * It exits with code 1 if any task starts on a stale definition.
 */
import { delay, filter, map, mergeMap, of, shareReplay, Subject, tap } from "rxjs";
import {
  createEventBus,
  gateReadyTasks,
  pendingModifications,
  type OrionEvent,
} from "../src/index.js";

const orionId = "etl";
const definitions = new Map<string, { after: string[]; params: Record<string, string> }>([
  ["extract", { after: [], params: { source: "s3://raw" } }],
  ["transform", { after: ["extract"], params: { mode: "draft" } }],
  ["report", { after: ["extract"], params: { format: "txt" } }],
]);
const started = performance.now();
const log = (line: string): void =>
  console.log(`${(performance.now() - started).toFixed(0).padStart(4)} ms  ${line}`);

const bus = createEventBus();
const state$ = bus.events$.pipe(
  pendingModifications({ modificationTimeout: 5_000 }),
  shareReplay({ bufferSize: 1, refCount: true }),
);

// The agent: answers every completion; after `extract` it takes 120 ms to rewrite `transform`.
const agent = bus.events$
  .pipe(
    filter((e): e is OrionEvent & { type: "TASK_COMPLETED" } => e.type === "TASK_COMPLETED"),
    mergeMap((e) => of(e).pipe(delay(e.taskId === "extract" ? 120 : 10))),
  )
  .subscribe((e) => {
    if (e.taskId === "extract") {
      definitions.set("transform", { after: ["extract"], params: { mode: "final" } });
      log(`agent: rewrote transform's params after ${e.taskId} (mode: final)`);
    }
    bus.publish({ type: "ORION_MODIFIED", orionId, onTaskIds: [e.taskId] });
  });

// The orchestrator: a ready-task stream, gated, feeding an executor.
const done = new Set<string>(); // started
const completed = new Set<string>();
const ready$ = new Subject<string[]>();
let stale = 0;
const finished = new Subject<void>();
const orchestrator = ready$
  .pipe(
    gateReadyTasks(state$),
    mergeMap((ids) => ids),
    filter((id) => !done.has(id)),
    tap((id) => {
      const params = definitions.get(id)?.params;
      const isStale = id === "transform" && params?.["mode"] !== "final";
      if (isStale) stale++;
      log(
        `orchestrator: start ${id} with ${JSON.stringify(params)}${isStale ? "  <-- STALE" : ""}`,
      );
      done.add(id);
    }),
    mergeMap((id) => of(id).pipe(delay(30))),
    map((id) => {
      log(`orchestrator: ${id} completed`);
      completed.add(id);
      // Publish first, then compute what it made ready: the gate has already closed.
      bus.publish({ type: "TASK_COMPLETED", orionId, taskId: id });
      const next = [...definitions].filter(
        ([t, d]) => !done.has(t) && d.after.every((a) => completed.has(a)),
      );
      if (completed.size === definitions.size) finished.next();
      return next.map(([t]) => t);
    }),
  )
  .subscribe((next) => {
    if (next.length > 0) {
      log(`orchestrator: ready ${next.join(", ")} (held while the agent edits)`);
      ready$.next(next);
    }
  });

finished.subscribe(() => {
  log(
    stale === 0 ? "done: no task started on a stale definition" : `done: ${stale} stale start(s)`,
  );
  orchestrator.unsubscribe();
  agent.unsubscribe();
  bus.close();
  process.exitCode = stale === 0 ? 0 : 1;
});

ready$.next(["extract"]);
