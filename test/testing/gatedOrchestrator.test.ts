import { shareReplay, type Observable } from "rxjs";
import { TestScheduler } from "rxjs/testing";
import { expect, test } from "vitest";
import {
  createEventBus,
  gateReadyTasks,
  pendingModifications,
  type OrionEvent,
} from "../../src/index.js";
import { createTestAgent, eventValues, orionModified, taskCompleted } from "../../testing/index.js";

// The code under test: a gate in front of the orchestrator's ready tasks.
/** The ready-task lists of `ready$`, held while the agent owes a modification. */
function gatedReadyTasks(
  events$: Observable<OrionEvent>,
  ready$: Observable<readonly string[]>,
): Observable<readonly string[]> {
  const state$ = events$.pipe(
    pendingModifications({ modificationTimeout: 100 }),
    shareReplay({ bufferSize: 1, refCount: true }),
  );
  return ready$.pipe(gateReadyTasks(state$));
}

// The tests: virtual time, so the 100 ms timeout costs nothing.
const createScheduler = () =>
  new TestScheduler((actual, expected) => {
    expect(actual).toStrictEqual(expected);
  });

const ev = eventValues({
  a: taskCompleted("fetch"),
  A: orionModified(["fetch"]),
  b: taskCompleted("parse"),
});

test("ready tasks wait for the agent's modification, and only the latest list is released", () => {
  createScheduler().run(({ hot, expectObservable }) => {
    const events = hot("-a-------A--", ev);
    const ready = hot(" --x--y------", { x: ["parse"], y: ["parse", "report"] });
    const expected = "  ---------y--";
    expectObservable(gatedReadyTasks(events, ready)).toBe(expected, { y: ["parse", "report"] });
  });
});

test("a scripted agent answers after its latency; a task it ignores times out", () => {
  const scheduler = createScheduler();
  const bus = createEventBus();
  const agent = createTestAgent(bus, { scheduler, latency: 5, silentOn: ["parse"] });
  scheduler.run(({ hot, expectObservable }) => {
    hot("              -a--b-----", ev).subscribe((event) => bus.publish(event));
    const ready = hot("--x-----y-", { x: ["parse"], y: ["report"] });
    const expected = " 104ms y"; // "parse" registered at 4 and timed out at 4 + 100
    expectObservable(gatedReadyTasks(bus.events$, ready)).toBe(expected, { y: ["report"] });
  });
  expect(agent.answers).toStrictEqual([orionModified(["fetch"])]);
  expect(agent.ignored).toStrictEqual([taskCompleted("parse")]);
});
