import { Subject, VirtualTimeScheduler } from "rxjs";
import { TestScheduler } from "rxjs/testing";
import { describe, expect, it } from "vitest";
import { createEventBus } from "../../src/bus.js";
import type { OrionEvent } from "../../src/events.js";
import { orion } from "../../src/orion/orion.js";
import type { TaskOrion } from "../../src/orion/types.js";
import { marbles } from "../marbles.js";
import {
  createTestAgent,
  createTestSynchronizer,
  eventValues,
  orionModified,
  orionStarted,
  taskCompleted,
  taskFailed,
} from "../../testing/index.js";

const ev = eventValues({
  a: taskCompleted("a"),
  b: taskCompleted("b"),
  c: taskCompleted("c"),
  f: taskFailed("c"),
  x: taskCompleted("x", "o2"),
});

const renamed = (name: string) => (o: TaskOrion | undefined) => o && { ...o, name };

describe("createTestAgent", () => {
  it(
    "answers each task after its own latency; a batch takes its longest",
    marbles((m) => {
      const events = m.hot("-a-b-c--------", ev);
      const subs = "        ^";
      // a: 1 + 2 = 3; b: 3 + 6 = 9 (c arrives while b is thought about); c: 9 + 2 = 11
      const expected = "    ---A-----B-C--";
      const bus = createEventBus();
      const agent = createTestAgent(bus, {
        scheduler: m.scheduler,
        latency: 2,
        latencies: { b: 6 },
      });
      events.subscribe((e) => bus.publish(e));
      m.expect(agent.modifications$).toBeObservable(expected, {
        A: orionModified(["a"]),
        B: orionModified(["b"]),
        C: orionModified(["c"]),
      });
      m.expect(events).toHaveSubscriptions(subs);
    }),
  );

  it("batches what arrives while busy, with the batch's longest latency", () => {
    const scheduler = new TestScheduler((actual, wanted) => {
      expect(actual).toStrictEqual(wanted);
    });
    scheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const events = hot("-a-bc---------------", ev);
      const subs = "      ^";
      // a: 1 + 3 = 4; then [b, c] together: 4 + max(3, 10) = 14
      const expected = "  ----A---------B-----";
      const bus = createEventBus();
      const agent = createTestAgent(bus, { scheduler, latency: 3, latencies: { c: 10 } });
      events.subscribe((e) => bus.publish(e));
      expectObservable(agent.modifications$).toBe(expected, {
        A: orionModified(["a"]),
        B: orionModified(["b", "c"]),
      });
      expectSubscriptions(events.subscriptions).toBe(subs);
    });
  });

  it("applies each task's scripted edit to its current view of the orion", () => {
    const scheduler = new VirtualTimeScheduler();
    const bus = createEventBus();
    const agent = createTestAgent(bus, {
      scheduler,
      latency: 1,
      edits: {
        a: renamed("after a"),
        c: (o, event) => o && { ...o, name: `${o.name} + ${event.type}` },
      },
    });
    const plan = orion("o1").task("a").task("b").task("c").build();
    bus.publish(orionStarted(plan));
    bus.publish(taskCompleted("a"));
    scheduler.flush();
    bus.publish(taskCompleted("b"));
    scheduler.flush();
    bus.publish(taskFailed("c"));
    scheduler.flush();
    expect(agent.answers.map((e) => [e.onTaskIds, e.newOrion?.name])).toStrictEqual([
      [["a"], "after a"],
      [["b"], undefined],
      [["c"], "after a + TASK_FAILED"],
    ]);
    expect(agent.errors).toStrictEqual([]);
  });

  it("stays silent on silentOn tasks, so their modifications time out", () => {
    const scheduler = new TestScheduler((actual, wanted) => {
      expect(actual).toStrictEqual(wanted);
    });
    let agent: ReturnType<typeof createTestAgent> | undefined;
    scheduler.run(({ hot, expectObservable }) => {
      const events$ = hot("-a--b---", ev);
      // a: answered at 1 + 2 = 3; b: registered at 4, never answered, timed out at 4 + 30
      const expected = "   ea-eb 29ms e";
      const sync = createTestSynchronizer(scheduler, { events$, modificationTimeout: 30 });
      agent = createTestAgent(sync.bus, { scheduler, latency: 2, silentOn: ["b"] });
      expectObservable(sync.pendingIds$).toBe(expected, { e: "", a: "a", b: "b" });
    });
    expect(agent?.ignored).toStrictEqual([taskCompleted("b")]);
    expect(agent?.answers).toStrictEqual([orionModified(["a"])]);
  });

  it("handles only options.orionId's tasks when given", () => {
    const scheduler = new VirtualTimeScheduler();
    const bus = createEventBus();
    const agent = createTestAgent(bus, {
      scheduler,
      latency: 1,
      orionId: "o2",
      silentOn: ["a"],
    });
    bus.publish(ev.a);
    bus.publish(ev.x);
    scheduler.flush();
    expect(agent.answers).toStrictEqual([orionModified(["x"], "o2")]);
    expect(agent.ignored).toStrictEqual([]);
  });

  it("records an edit that throws instead of logging it, and answers anyway", () => {
    const scheduler = new VirtualTimeScheduler();
    const bus = createEventBus();
    const boom = new Error("boom");
    const agent = createTestAgent(bus, {
      scheduler,
      latency: 0,
      edits: {
        a: () => {
          throw boom;
        },
      },
    });
    bus.publish(ev.a);
    scheduler.flush();
    expect(agent.errors).toStrictEqual([boom]);
    expect(agent.answers).toStrictEqual([orionModified(["a"])]);
  });

  it("is a ScriptedAgent: busy$, isBusy and stop", () => {
    const scheduler = new VirtualTimeScheduler();
    const bus = createEventBus();
    const agent = createTestAgent(bus, { scheduler, latency: 5 });
    bus.publish(ev.a);
    expect(agent.isBusy()).toBe(true);
    agent.stop();
    scheduler.flush();
    expect(agent.isBusy()).toBe(false);
    expect(agent.answers).toStrictEqual([]);
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])("rejects latency %s", (bad) => {
    const bus = createEventBus();
    const scheduler = new VirtualTimeScheduler();
    expect(() => createTestAgent(bus, { scheduler, latency: bad })).toThrow(RangeError);
    expect(() => createTestAgent(bus, { scheduler, latency: 1, latencies: { b: bad } })).toThrow(
      /latencies\["b"\]/,
    );
  });
});

describe("createTestAgent on a plain Subject<OrionEvent> (issue 17)", () => {
  it("listens to the subject and publishes its answers with next", () => {
    const scheduler = new TestScheduler((actual, wanted) => {
      expect(actual).toStrictEqual(wanted);
    });
    const subject = new Subject<OrionEvent>();
    const seen: OrionEvent[] = [];
    subject.subscribe((event) => seen.push(event));
    const agent = createTestAgent(subject, { scheduler, latency: 5, silentOn: ["b"] });
    subject.next(taskCompleted("a"));
    subject.next(taskCompleted("b"));
    scheduler.flush();
    expect(agent.answers).toStrictEqual([orionModified(["a"])]);
    expect(agent.ignored).toStrictEqual([taskCompleted("b")]);
    expect(seen).toStrictEqual([taskCompleted("a"), taskCompleted("b"), orionModified(["a"])]);
    agent.stop();
  });
});
