import { TestScheduler } from "rxjs/testing";
import { VirtualTimeScheduler } from "rxjs";
import { describe, expect, it } from "vitest";
import { marbles, type Context } from "../marbles.js";
import {
  createTestSynchronizer,
  eventValues,
  orionModified,
  orionStarted,
  taskCompleted,
} from "../../testing/index.js";
import { orion } from "../../src/orion/orion.js";

const ev = eventValues({
  a: taskCompleted("a"),
  b: taskCompleted("b"),
  A: orionModified(["a"]),
  B: orionModified(["b"]),
});

/**
 * One scenario, written once, run under both marble harnesses: `a` is answered, `b` is not
 * and times out after 20 frames.
 */
function scenario(
  scheduler: TestScheduler,
  hot: Context["hot"],
  expectPending: (sync: ReturnType<typeof createTestSynchronizer>) => void,
) {
  const events$ = hot("-a-b--A--", ev);
  const sync = createTestSynchronizer(scheduler, { events$, modificationTimeout: 20 });
  expectPending(sync);
  return sync;
}
const expected = { marbles: "ea-b--c 16ms e", values: { e: "", a: "a", b: "a,b", c: "b" } };

describe("createTestSynchronizer", () => {
  it("runs on RxJS's own TestScheduler (run mode)", () => {
    const scheduler = new TestScheduler((actual, wanted) => {
      expect(actual).toStrictEqual(wanted);
    });
    let sync: ReturnType<typeof createTestSynchronizer> | undefined;
    scheduler.run(({ hot, expectObservable }) => {
      sync = scenario(scheduler, hot, (s) =>
        expectObservable(s.pendingIds$).toBe(expected.marbles, expected.values),
      );
    });
    expect(sync?.synchronizer.getStatistics()).toMatchObject({
      totalModifications: 2,
      completedModifications: 1,
      timeoutModifications: 1,
    });
  });

  it(
    "runs under rxjs-marbles, on m.scheduler",
    marbles((m) => {
      const sync = scenario(m.scheduler, m.hot.bind(m), (s) =>
        m.expect(s.pendingIds$).toBeObservable(expected.marbles, expected.values),
      );
      m.flush();
      expect(sync.states.map((s) => s.last.kind)).toStrictEqual([
        "initial",
        "registered",
        "registered",
        "completed",
        "timed-out",
      ]);
      expect(sync.pendingIds()).toBe("");
    }),
  );

  it("fails a marble test whose expectation is wrong (the harness really compares)", () => {
    const scheduler = new TestScheduler((actual, wanted) => {
      expect(actual).toStrictEqual(wanted);
    });
    expect(() =>
      scheduler.run(({ hot, expectObservable }) => {
        scenario(scheduler, hot, (s) =>
          expectObservable(s.pendingIds$).toBe("ea-b--c 17ms e", expected.values),
        );
      }),
    ).toThrow();
  });

  it("does what its doc example says", () => {
    const testScheduler = new TestScheduler((actual, wanted) => {
      expect(actual).toStrictEqual(wanted);
    });
    testScheduler.run(({ hot, expectObservable }) => {
      const values = eventValues({ c: taskCompleted("a"), m: orionModified(["a"]) });
      const events$ = hot("-c---m-", values);
      const expected = "   eb---e-";
      const sync = createTestSynchronizer(testScheduler, { events$ });
      expectObservable(sync.pendingIds$).toBe(expected, { e: "", b: "a" });
    });
  });

  it("publishes on its bus, answers getters, and keeps the orion", () => {
    const scheduler = new VirtualTimeScheduler();
    const sync = createTestSynchronizer(scheduler);
    const seen: string[] = [];
    sync.bus.subscribe({ onEvent: (e) => seen.push(e.type) });
    const plan = orion("o1").task("a").task("b").build();
    sync.publish(orionStarted(plan), taskCompleted("b"), taskCompleted("a"));
    expect(seen).toStrictEqual(["ORION_STARTED", "TASK_COMPLETED", "TASK_COMPLETED"]);
    expect(sync.pendingIds()).toBe("a,b");
    expect(sync.synchronizer.getCurrentOrion()).toBe(plan);
    expect(sync.scheduler).toBe(scheduler);
    sync.publish(orionModified(["a", "b"]));
    expect(sync.pendingIds()).toBe("");
    expect(sync.states).toHaveLength(5);
  });

  it("pendingIds$ replays the current ids and emits only when they change", () => {
    const sync = createTestSynchronizer(new VirtualTimeScheduler());
    sync.publish(taskCompleted("a"));
    const seen: string[] = [];
    sync.pendingIds$.subscribe((ids) => seen.push(ids));
    // A duplicate completion and an ORION_STARTED are new states with the same pending ids.
    sync.publish(taskCompleted("a"), orionStarted(), taskCompleted("b"), orionModified(["a"]));
    expect(sync.states.map((s) => s.last.kind)).toStrictEqual([
      "initial",
      "registered",
      "ignored",
      "orion",
      "registered",
      "completed",
    ]);
    expect(seen).toStrictEqual(["a", "a,b", "b"]);
  });

  it("times out on the given scheduler's clock, not the wall clock", () => {
    const scheduler = new VirtualTimeScheduler();
    const sync = createTestSynchronizer(scheduler, { modificationTimeout: 1_000_000 });
    sync.publish(taskCompleted("a"));
    scheduler.flush();
    expect(sync.pendingIds()).toBe("");
    expect(sync.states.at(-1)?.last).toMatchObject({ kind: "timed-out", at: 1_000_000 });
  });

  it("dispose completes pendingIds$, stops the feed and closes the bus", () => {
    const scheduler = new VirtualTimeScheduler();
    const sync = createTestSynchronizer(scheduler);
    let completed = false;
    sync.pendingIds$.subscribe({ complete: () => (completed = true) });
    let busClosed = false;
    sync.bus.events$.subscribe({ complete: () => (busClosed = true) });
    sync.dispose();
    expect(completed).toBe(true);
    expect(busClosed).toBe(true);
    expect(scheduler.actions).toHaveLength(0);
  });
});
