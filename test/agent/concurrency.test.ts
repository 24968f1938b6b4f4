import { Observable, queueScheduler } from "rxjs";
import { describe, expect, it } from "vitest";
import {
  createScriptedAgent,
  type AgentBus,
  type ScriptedAgentOptions,
} from "../../src/agent/index.js";
import { createEventBus } from "../../src/bus.js";
import type { OrionEvent, TaskEvent } from "../../src/events.js";
import { orion } from "../../src/orion/orion.js";
import { marbles, type Context } from "../marbles.js";
import { eventValues, orionModified, orionStarted, taskCompleted } from "../../testing/index.js";
import { trackingScheduler } from "../support/trackingScheduler.js";
import { noted, notingEdit, stubBus } from "./support.js";

// The concurrent scripted agent (`concurrency`): each completion answered on its own, after
// its own latency, at most n in flight, the rest queued FIFO; edits applied at publish time.

const base = orion("o1").task("a").task("b").task("c").build();

const ev = eventValues({
  a: taskCompleted("a"),
  b: taskCompleted("b"),
  c: taskCompleted("c"),
  d: taskCompleted("d"),
  S: orionStarted(base),
});

const ids = (batch: readonly TaskEvent[]) => batch.map((e) => e.taskId);

/** A scripted agent on `bus` without event ids, its timers on the test's scheduler unless given. */
function agentOn(m: Context, bus: AgentBus, options: Omit<ScriptedAgentOptions, "eventId">) {
  return createScriptedAgent(bus, { eventId: false, scheduler: m.scheduler, ...options });
}

describe("createScriptedAgent with concurrency", () => {
  it(
    "answers two completions independently, each after its own latency, out of order",
    marbles((m) => {
      const events = m.hot("^--a-b--------", ev);
      const expected = "    -------BA-----";
      const busy = "        f--t----f-----";
      const { edit, seen } = notingEdit();
      const starts: [string[], number][] = [];
      const agent = agentOn(m, stubBus(events, m.scheduler).bus, {
        // a thinks 5 (3 → 8), b only 2 (5 → 7): b's answer overtakes a's.
        latency: (batch) => (
          starts.push([ids(batch), m.scheduler.now()]),
          ids(batch)[0] === "a" ? 5 : 2
        ),
        edit,
        concurrency: Number.POSITIVE_INFINITY,
      });
      m.expect(agent.modifications$).toBeObservable(expected, {
        B: orionModified(["b"]),
        A: orionModified(["a"]),
      });
      m.expect(agent.busy$).toBeObservable(busy, { t: true, f: false });
      m.flush();
      // Each answer started with its completion, a batch of one.
      expect(starts).toStrictEqual([
        [["a"], 3],
        [["b"], 5],
      ]);
      expect(seen).toStrictEqual([
        ["b", undefined],
        ["a", undefined],
      ]);
    }),
  );

  it(
    "applies each answer's edit to the view at publish time: none is lost out of order",
    marbles((m) => {
      const events = m.hot("^S-a-b--------", ev);
      const expected = "    ------BA------";
      const { edit, seen } = notingEdit();
      const agent = agentOn(m, stubBus(events, m.scheduler).bus, {
        latency: (batch) => (ids(batch)[0] === "a" ? 4 : 1),
        edit,
        concurrency: 2,
      });
      const afterB = noted(base, "b");
      m.expect(agent.modifications$).toBeObservable(expected, {
        B: orionModified(["b"], "o1", afterB),
        A: orionModified(["a"], "o1", noted(afterB, "a")),
      });
      m.flush();
      // a's edit, published last, sees b's: the view as every earlier answer left it.
      expect(seen).toStrictEqual([
        ["b", ""],
        ["a", "b"],
      ]);
    }),
  );

  it(
    "with a limit n, queues the (n+1)th completion until an answer is published (FIFO)",
    marbles((m) => {
      const events = m.hot("^-a-b-c-------------d------", ev);
      const expected = "    -------A-B--C------------D-";
      const busy = "        f-t---------f-------t----f-";
      const starts: [string[], number][] = [];
      const { bus, published } = stubBus(events, m.scheduler);
      const agent = agentOn(m, bus, {
        latency: (batch) => (starts.push([ids(batch), m.scheduler.now()]), 5),
        concurrency: 2,
      });
      m.expect(agent.modifications$).toBeObservable(expected, {
        A: orionModified(["a"]),
        B: orionModified(["b"]),
        C: orionModified(["c"]),
        D: orionModified(["d"]),
      });
      m.expect(agent.busy$).toBeObservable(busy, { t: true, f: false });
      m.flush();
      // c arrives at 6 with a and b in flight: it starts when A is published, at 7.
      expect(starts).toStrictEqual([
        [["a"], 2],
        [["b"], 4],
        [["c"], 7],
        [["d"], 20],
      ]);
      expect(published.map((p) => p.frame)).toStrictEqual([7, 9, 12, 25]);
    }),
  );

  it(
    "stop() cancels every timer in flight and drops the queue",
    marbles((m) => {
      const events = m.hot("^-a-b-c-d----------", ev);
      const expected = "    ---------|";
      const busy = "        f-t------(f|)";
      const subs = "        ^--------!";
      const scheduler = trackingScheduler(m.scheduler);
      const { bus, published } = stubBus(events, m.scheduler);
      let latencyCalls = 0;
      const agent = agentOn(m, bus, {
        latency: () => (latencyCalls++, 10),
        edit: () => {
          throw new Error("edit must not run");
        },
        concurrency: 3,
        scheduler,
      });
      let liveBeforeStop = -1;
      let liveAfterStop = -1;
      m.scheduler.schedule(() => (liveBeforeStop = scheduler.live()), 9);
      m.scheduler.schedule(() => agent.stop(), 9);
      m.scheduler.schedule(() => (liveAfterStop = scheduler.live()), 10);
      m.expect(events).toHaveSubscriptions(subs);
      m.expect(agent.modifications$).toBeObservable(expected);
      m.expect(agent.busy$).toBeObservable(busy, { t: true, f: false });
      m.flush();
      // a, b and c in flight (d queued behind them) when it stops: none is published.
      expect(liveBeforeStop).toBe(3);
      expect(scheduler.scheduled()).toBe(3);
      expect(liveAfterStop).toBe(0);
      expect(latencyCalls).toBe(3);
      expect(published).toStrictEqual([]);
      expect(agent.isBusy()).toBe(false);
    }),
  );

  it(
    "publishes the answers in flight and queued when the bus completes, then completes",
    marbles((m) => {
      const completes = m.hot("^-a-b-c-|", ev);
      const expected = "       -------A-B--(C|)";
      const agent = agentOn(m, stubBus(completes, m.scheduler).bus, { latency: 5, concurrency: 2 });
      // c waits for a slot (a and b in flight): it starts at 7, after the bus completed.
      m.expect(agent.modifications$).toBeObservable(expected, {
        A: orionModified(["a"]),
        B: orionModified(["b"]),
        C: orionModified(["c"]),
      });
    }),
  );

  it("rejects a null concurrency (untyped callers) instead of taking it for the default", () => {
    const bus = { events$: new Observable<OrionEvent>(), publish: () => undefined };
    const concurrency = null as unknown as number;
    expect(() => createScriptedAgent(bus, { eventId: false, latency: 1, concurrency })).toThrow(
      /concurrency must be a positive integer or Infinity, got null/,
    );
  });

  it("rejects a concurrency that is not a positive integer or Infinity with a RangeError", () => {
    let subscribed = 0;
    const bus = {
      events$: new Observable<OrionEvent>(() => void subscribed++),
      publish: () => undefined,
    };
    for (const concurrency of [0, -1, 1.5, Number.NaN, Number.NEGATIVE_INFINITY]) {
      expect(() => createScriptedAgent(bus, { eventId: false, latency: 1, concurrency })).toThrow(
        RangeError,
      );
    }
    expect(subscribed).toBe(0);
    for (const concurrency of [1, 2, Number.POSITIVE_INFINITY]) {
      createScriptedAgent(bus, { eventId: false, latency: 1, concurrency }).stop();
    }
    expect(subscribed).toBe(3);
  });

  it("answers re-entrant completions one by one with a synchronous scheduler", () => {
    const bus = createEventBus();
    const agent = createScriptedAgent(bus, {
      eventId: false,
      latency: 0,
      concurrency: 1_000,
      scheduler: queueScheduler,
    });
    bus.subscribe({
      onEvent: (event) => {
        if (event.type === "ORION_MODIFIED" && event.onTaskIds.includes("a")) {
          bus.publish(taskCompleted("b"));
          bus.publish(taskCompleted("c"));
        }
      },
    });
    const answered: string[] = [];
    agent.modifications$.subscribe((event) => answered.push(event.onTaskIds.join()));
    bus.publish(taskCompleted("a"));
    // All within that one publish, each completion answered on its own (no batch "b,c").
    expect(answered).toStrictEqual(["a", "b", "c"]);
    expect(agent.isBusy()).toBe(false);
    agent.stop();
  });
});
