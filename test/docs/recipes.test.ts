/**
 * The recipes of docs/recipes.md, run in virtual time: each does what the guide says it does.
 * The guide quotes examples/recipes/*.ts; docs.test.ts checks the quotes are current.
 */
import { EventEmitter } from "node:events";
import { BehaviorSubject, shareReplay, Subject, type Observable } from "rxjs";
import { describe, expect, it } from "vitest";
import { adaptiveTimeout } from "../../examples/recipes/tuneTimeouts.js";
import { fromEmitter, fromTarget } from "../../examples/recipes/existingBus.js";
import { withPause } from "../../examples/recipes/moreConditions.js";
import { pendingByOrion, perOrionState } from "../../examples/recipes/perOrion.js";
import { synchronizerPerOrion } from "../../examples/recipes/perOrionFacade.js";
import { shareTheState } from "../../examples/recipes/shareTheState.js";
import { nextStep } from "../../examples/recipes/waitWithTimeout.js";
import type { InvalidEventError, OrionEvent } from "../../src/events.js";
import { orion } from "../../src/orion/orion.js";
import { pendingModifications } from "../../operators/pendingModifications.js";
import { OrionModificationSynchronizer } from "../../src/synchronizer.js";
import { virtualTime } from "../support/virtualTime.js";

const completed = (taskId: string, orionId = "o"): OrionEvent => ({
  type: "TASK_COMPLETED",
  orionId,
  taskId,
});
const modified = (onTaskIds: string[], orionId = "o"): OrionEvent => ({
  type: "ORION_MODIFIED",
  orionId,
  onTaskIds,
});
const ended = (orionId: string): OrionEvent => ({ type: "ORION_COMPLETED", orionId });

function record<T>(source$: Observable<T>): { values: T[]; done: () => boolean } {
  const values: T[] = [];
  let complete = false;
  source$.subscribe({ next: (v) => values.push(v), complete: () => (complete = true) });
  return { values, done: () => complete };
}

describe("recipe: shareTheState", () => {
  it("gates, counts and logs from one fold, one log line per transition", () => {
    const { scheduler, advance } = virtualTime();
    const events = new Subject<OrionEvent>();
    const ready = new Subject<string>();
    const lines: string[] = [];
    const { state$, startable$, pending$ } = shareTheState(
      events,
      ready,
      (l) => lines.push(l),
      scheduler,
    );
    const started = record(startable$);
    const pending = record(pending$);
    record(state$); // a third observer: still one fold, one log line per transition
    events.next(completed("a"));
    ready.next("b");
    expect(started.values).toEqual([]);
    events.next(modified(["a"]));
    expect(started.values).toEqual(["b"]);
    events.next(completed("b"));
    advance(60_000);
    expect(pending.values).toEqual([0, 1, 0, 1, 0]);
    expect(lines).toEqual([
      "waiting for the agent after a",
      "waiting for the agent after b",
      "gave up on 1 modification(s)",
    ]);
  });
});

describe("recipe: withPause", () => {
  it("holds ready values while paused or pending, and says why", () => {
    const { scheduler } = virtualTime();
    const events = new Subject<OrionEvent>();
    const state$ = events.pipe(pendingModifications({ scheduler }), shareReplay(1));
    state$.subscribe(); // connected from now on: the fold sees every event
    const ready = new Subject<string>();
    const paused = new BehaviorSubject(true);
    const { startable$, status$ } = withPause(ready, state$, paused);
    const started = record(startable$);
    const status = record(status$);
    ready.next("x");
    expect(started.values).toEqual([]);
    paused.next(false);
    expect(started.values).toEqual(["x"]);
    events.next(completed("a"));
    ready.next("y");
    expect(started.values).toEqual(["x"]);
    events.next(modified(["a"]));
    expect(started.values).toEqual(["x", "y"]);
    expect(status.values).toEqual(["paused", "running", "holding for 1 edit(s)", "running"]);
  });
});

describe("recipe: existingBus", () => {
  const valid = completed("a");

  it("turns an EventEmitter's values into valid events and reports the rest", () => {
    const emitter = new EventEmitter();
    const invalid: InvalidEventError[] = [];
    const events = record(fromEmitter(emitter, (e) => invalid.push(e)));
    emitter.emit("orion-event", valid);
    emitter.emit("orion-event", { type: "TASK_EXPLODED", orionId: "o" });
    emitter.emit("orion-event", { type: "ORION_MODIFIED", orionId: "o", onTaskIds: [] });
    emitter.emit("something-else", valid);
    expect(events.values).toEqual([valid]);
    expect(invalid.map((e) => [e.reason, e.path])).toEqual([
      ["unknown-type", "type"],
      ["empty-value", "onTaskIds"],
    ]);
  });

  it("parses an EventTarget's JSON details, reporting text that is not JSON", () => {
    const target = new EventTarget();
    const invalid: InvalidEventError[] = [];
    const events = record(fromTarget(target, (e) => invalid.push(e)));
    const send = (detail: string): boolean =>
      target.dispatchEvent(new CustomEvent("orion-event", { detail }));
    send(JSON.stringify(valid));
    send("{not json");
    send(JSON.stringify({ type: "TASK_COMPLETED", orionId: "o" }));
    expect(events.values).toEqual([valid]);
    expect(invalid.map((e) => [e.reason, e.path])).toEqual([
      ["not-an-object", ""],
      ["missing-field", "taskId"],
    ]);
  });
});

describe("recipe: perOrion", () => {
  it("gives each orion its own fold, ended with the orion", () => {
    const { scheduler } = virtualTime();
    const events = new Subject<OrionEvent>();
    const stateFor = perOrionState(events, scheduler);
    const a = stateFor("A");
    expect(stateFor("A")).toBe(a);
    const aCount = record(a);
    const bCount = record(stateFor("B"));
    events.next(completed("a1", "A"));
    expect(aCount.values.at(-1)?.pending.size).toBe(1);
    expect(bCount.values.at(-1)?.pending.size).toBe(0);
    events.next(ended("A"));
    expect(aCount.done()).toBe(true);
    expect(bCount.done()).toBe(false);
    expect(stateFor("A")).not.toBe(a); // a fresh fold for a new run of A
  });

  it("counts pending modifications per orion with groupBy", () => {
    const { scheduler } = virtualTime();
    const events = new Subject<OrionEvent>();
    const counts = record(pendingByOrion(events, scheduler));
    events.next(completed("a1", "A"));
    events.next(completed("b1", "B"));
    events.next(modified(["a1"], "A"));
    events.next(ended("B"));
    events.next(completed("b2", "B")); // a new group for B: a fresh fold
    expect(counts.values).toEqual([
      ["A", 0],
      ["A", 1],
      ["B", 0],
      ["B", 1],
      ["A", 0],
      ["B", 0],
      ["B", 1],
    ]);
  });
});

describe("recipe: perOrionFacade", () => {
  it("keeps one synchronizer per orion and disposes it when the orion ends", () => {
    const { scheduler } = virtualTime();
    const events = new Subject<OrionEvent>();
    const synchronizerFor = synchronizerPerOrion(events, scheduler);
    const a = synchronizerFor("A");
    const b = synchronizerFor("B");
    expect(synchronizerFor("A")).toBe(a);
    events.next(completed("a1", "A"));
    expect([a.getPendingCount(), b.getPendingCount()]).toEqual([1, 0]);
    const aState = record(a.state$);
    events.next(ended("A"));
    events.next(ended("A")); // a redelivery must not drop a newer synchronizer of A
    expect(aState.done()).toBe(true);
    const again = synchronizerFor("A");
    expect(again).not.toBe(a);
    events.next(ended("A"));
    expect(synchronizerFor("A")).not.toBe(again);
    expect(record(b.state$).done()).toBe(false);
  });
});

describe("recipe: tuneTimeouts", () => {
  it("logs timeouts and doubles the timeout on late answers, up to the ceiling", () => {
    const { scheduler, advance } = virtualTime();
    const events = new Subject<OrionEvent>();
    const lines: string[] = [];
    const state$ = adaptiveTimeout(
      events,
      { initial: 100, ceiling: 400, log: (l) => lines.push(l) },
      scheduler,
    );
    const states = record(state$);
    const timeout = (): number | undefined => states.values.at(-1)?.modificationTimeout;
    events.next(completed("a"));
    advance(100);
    events.next(modified(["a"])); // late: 100 ms was too short
    expect(timeout()).toBe(200);
    events.next(completed("b"));
    advance(150);
    events.next(modified(["b"])); // in time with 200 ms
    expect(timeout()).toBe(200);
    for (const task of ["c", "d", "e"]) {
      events.next(completed(task));
      advance(timeout() ?? 0);
      events.next(modified([task]));
    }
    expect(timeout()).toBe(400);
    expect(lines).toEqual([
      "no edit for a after 100 ms: going on without it",
      "late answer for a: timeout 200 ms from now on",
      "no edit for c after 200 ms: going on without it",
      "late answer for c: timeout 400 ms from now on",
      "no edit for d after 400 ms: going on without it",
      "no edit for e after 400 ms: going on without it",
    ]);
  });
});

describe("recipe: waitWithTimeout", () => {
  it("bounds the wait, clears what is left, and merges the agent's orion", async () => {
    const { scheduler, advance } = virtualTime();
    const synchronizer = new OrionModificationSynchronizer({ scheduler });
    const plan = orion("o").task("a").task("b", { after: "a" }).build();
    synchronizer.onEvent({ type: "ORION_STARTED", orionId: "o", orion: plan });
    synchronizer.onEvent(completed("a"));
    const lines: string[] = [];
    const step = nextStep(synchronizer, plan, (l) => lines.push(l));
    expect(synchronizer.getModificationTimeout()).toBe(15 * 60_000);
    advance(2 * 60_000 - 1);
    synchronizer.onEvent(completed("b"));
    advance(1);
    const next = await step;
    // Only a, pending for the whole wait, is cleared: b registered 1 ms before the wait
    // timed out and keeps its own timeout.
    expect(lines).toEqual(["going on without 1 edit(s)"]);
    expect(synchronizer.getPendingTaskIds()).toEqual(["b"]);
    expect(next.id).toBe("o");
    synchronizer.dispose();
  });
});
