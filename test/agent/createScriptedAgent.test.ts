import { config, Observable, queueScheduler, Subject, VirtualTimeScheduler } from "rxjs";
import { describe, expect, it } from "vitest";
import {
  createScriptedAgent,
  type AgentBus,
  type AgentEdit,
  type ScriptedAgentOptions,
} from "../../src/agent/index.js";
import { createEventBus } from "../../src/bus.js";
import type { OrionEvent, TaskEvent } from "../../src/events.js";
import { orion } from "../../src/orion/orion.js";
import { marbles, type Context } from "../marbles.js";
import {
  eventValues,
  orionCompleted,
  orionModified,
  orionStarted,
  taskCompleted,
  taskFailed,
  taskStarted,
} from "../../testing/index.js";
import { trackingScheduler } from "../support/trackingScheduler.js";
import { noted, notingEdit, stubBus } from "./support.js";

const base = orion("o1").task("a").task("b").task("c").build();
const other = orion("o2").task("x").build();

const ev = eventValues({
  a: taskCompleted("a"),
  b: taskCompleted("b"),
  c: taskCompleted("c"),
  d: taskCompleted("d"),
  f: taskFailed("b"),
  s: taskStarted("a"),
  x: taskCompleted("x", "o2"),
  S: orionStarted(base),
  T: orionStarted(other),
  E: orionCompleted("o1"),
  M: orionModified(["a"], "o1", orion("o1").task("zzz").build()),
});

const label = (event: OrionEvent): string =>
  event.type === "ORION_MODIFIED"
    ? `mod:${event.onTaskIds.join()}`
    : "taskId" in event
      ? `done:${event.taskId}`
      : event.type;

const ids = (batch: readonly TaskEvent[]) => batch.map((e) => e.taskId);

/** A scripted agent on `bus` without event ids, its timers on the test's scheduler unless given. */
function agentOn(m: Context, bus: AgentBus, options: Omit<ScriptedAgentOptions, "eventId">) {
  return createScriptedAgent(bus, { eventId: false, scheduler: m.scheduler, ...options });
}

describe("createScriptedAgent", () => {
  it(
    "answers a single completion with one ORION_MODIFIED after the latency",
    marbles((m) => {
      const events = m.hot("^-a-------", ev);
      const expected = "    -------A--";
      const { bus, published } = stubBus(events, m.scheduler);
      const agent = agentOn(m, bus, { latency: 5 });
      m.expect(agent.modifications$).toBeObservable(expected, { A: orionModified(["a"]) });
      m.flush();
      expect(published).toStrictEqual([{ frame: 7, event: orionModified(["a"]) }]);
    }),
  );

  it(
    "batches completions that arrive during work into the next modification, with all their ids",
    marbles((m) => {
      const events = m.hot("^-a-b-c-------------d------", ev);
      const expected = "    -------A----B------------D-";
      const busy = "        f-t---------f-------t----f-";
      const { bus, published } = stubBus(events, m.scheduler);
      const agent = agentOn(m, bus, { latency: 5 });
      const values = {
        A: orionModified(["a"]),
        B: orionModified(["b", "c"]),
        D: orionModified(["d"]),
      };
      m.expect(agent.modifications$).toBeObservable(expected, values);
      m.expect(agent.busy$).toBeObservable(busy, { t: true, f: false });
      m.flush();
      expect(published.map((p) => p.frame)).toStrictEqual([7, 12, 25]);
      expect(agent.isBusy()).toBe(false);
    }),
  );

  it(
    "lists a task id once per modification, but edits each of its events",
    marbles((m) => {
      const events = m.hot("^S-a-(bb)----", ev);
      const expected = "    ------A--B----";
      const { edit, seen } = notingEdit();
      const agent = agentOn(m, stubBus(events, m.scheduler).bus, { latency: 3, edit });
      m.expect(agent.modifications$).toBeObservable(expected, {
        A: orionModified(["a"], "o1", noted(base, "a")),
        B: orionModified(["b"], "o1", noted(noted(noted(base, "a"), "b"), "b")),
      });
      m.flush();
      expect(seen.map(([id]) => id)).toStrictEqual(["a", "b", "b"]);
    }),
  );

  it(
    "takes the latency from a function of the batch",
    marbles((m) => {
      const events = m.hot("^-a-b-c--", ev);
      const expected = "    12ms A 19ms B";
      const batches: string[][] = [];
      const agent = agentOn(m, stubBus(events, m.scheduler).bus, {
        latency: (batch) => (batches.push(ids(batch)), 10 * batch.length),
      });
      m.expect(agent.modifications$).toBeObservable(expected, {
        A: orionModified(["a"]),
        B: orionModified(["b", "c"]),
      });
      m.flush();
      expect(batches).toStrictEqual([["a"], ["b", "c"]]);
    }),
  );

  it(
    "applies edit to each event of a batch in order, from the orion of ORION_STARTED",
    marbles((m) => {
      const events = m.hot("^S-a-b-c-------", ev);
      const expected = "    --------A----B-";
      const { edit, seen } = notingEdit();
      const agent = agentOn(m, stubBus(events, m.scheduler).bus, { latency: 5, edit });
      const afterA = noted(base, "a");
      m.expect(agent.modifications$).toBeObservable(expected, {
        A: orionModified(["a"], "o1", afterA),
        B: orionModified(["b", "c"], "o1", noted(noted(afterA, "b"), "c")),
      });
      m.flush();
      // The first edit gets ORION_STARTED's orion; each next one the previous result.
      expect(seen).toStrictEqual([
        ["a", ""],
        ["b", "a"],
        ["c", "a,b"],
      ]);
    }),
  );

  it(
    "omits newOrion without an edit, or when every edit of the batch returned undefined",
    marbles((m) => {
      const events = m.hot("^S-a-b-c-------d-----", ev);
      const expected = "    --------A----B------D-";
      const { bus } = stubBus(events, m.scheduler);
      // Changes nothing for a, b and d; notes c.
      const edit: AgentEdit = (event, o) =>
        event.taskId === "c" && o !== undefined ? noted(o, "c") : undefined;
      const agent = agentOn(m, bus, { latency: 5, edit });
      const plain = agentOn(m, bus, { latency: 5 });
      m.expect(agent.modifications$).toBeObservable(expected, {
        A: orionModified(["a"]),
        B: orionModified(["b", "c"], "o1", noted(base, "c")),
        D: orionModified(["d"]),
      });
      m.expect(plain.modifications$).toBeObservable(expected, {
        A: orionModified(["a"]),
        B: orionModified(["b", "c"]),
        D: orionModified(["d"]),
      });
    }),
  );

  it(
    "gives edit undefined before ORION_STARTED and after ORION_COMPLETED, and ignores others' ORION_MODIFIED",
    marbles((m) => {
      const events = m.hot("^-a---S-M-b---E-c---", ev);
      const expected = "    ----A-------B-----C-";
      const { edit, seen } = notingEdit();
      const agent = agentOn(m, stubBus(events, m.scheduler).bus, { latency: 2, edit });
      m.expect(agent.modifications$).toBeObservable(expected, {
        A: orionModified(["a"]),
        B: orionModified(["b"], "o1", noted(base, "b")),
        C: orionModified(["c"]),
      });
      m.flush();
      expect(seen).toStrictEqual([
        ["a", undefined],
        ["b", ""],
        ["c", undefined],
      ]);
    }),
  );

  it(
    "handles only its orionId's events when one is given",
    marbles((m) => {
      const events = m.hot("^T-x-a------x---", ev);
      const expected = "    --------A-------";
      const busy = "        f----t--f-------";
      const everyOrion = "  ------X--A-----Y";
      const { bus } = stubBus(events, m.scheduler);
      const own = notingEdit();
      const agent = agentOn(m, bus, { latency: 3, edit: own.edit, orionId: "o1" });
      const all = agentOn(m, bus, { latency: 3, edit: notingEdit().edit });
      m.expect(agent.modifications$).toBeObservable(expected, { A: orionModified(["a"]) });
      m.expect(agent.busy$).toBeObservable(busy, { t: true, f: false });
      m.expect(all.modifications$).toBeObservable(everyOrion, {
        X: orionModified(["x"], "o2", noted(other, "x")),
        A: orionModified(["a"]),
        Y: orionModified(["x"], "o2", noted(noted(other, "x"), "x")),
      });
      m.flush();
      expect(own.seen).toStrictEqual([["a", undefined]]);
    }),
  );

  it(
    "without an orionId, answers a batch that spans orions with one ORION_MODIFIED per orion",
    marbles((m) => {
      const events = m.hot("^-a-x-b----------", ev);
      const expected = "    -------A----(XB)-";
      const agent = agentOn(m, stubBus(events, m.scheduler).bus, { latency: 5 });
      m.expect(agent.modifications$).toBeObservable(expected, {
        A: orionModified(["a"]),
        X: orionModified(["x"], "o2"),
        B: orionModified(["b"]),
      });
    }),
  );

  it(
    "answers TASK_FAILED too, but not TASK_STARTED",
    marbles((m) => {
      const events = m.hot("^-s-f-------", ev);
      const expected = "    ---------F--";
      const busy = "        f---t----f--";
      const agent = agentOn(m, stubBus(events, m.scheduler).bus, { latency: 5 });
      m.expect(agent.modifications$).toBeObservable(expected, { F: orionModified(["b"]) });
      m.expect(agent.busy$).toBeObservable(busy, { t: true, f: false });
    }),
  );

  it(
    "stop() cancels the pending publish and ignores later events",
    marbles((m) => {
      const events = m.hot("^-a-----b-------", ev);
      const expected = "    ----|";
      const busy = "        f-t-(f|)";
      const subs = "        ^---!";
      const scheduler = trackingScheduler(m.scheduler);
      const { bus, published } = stubBus(events, m.scheduler);
      let latencyCalls = 0;
      const agent = agentOn(m, bus, {
        latency: () => (latencyCalls++, 5),
        edit: () => {
          throw new Error("edit must not run");
        },
        scheduler,
      });
      let liveAfterStop = -1;
      m.scheduler.schedule(() => agent.stop(), 4);
      m.scheduler.schedule(() => (liveAfterStop = scheduler.live()), 5);
      m.expect(events).toHaveSubscriptions(subs);
      m.expect(agent.modifications$).toBeObservable(expected);
      m.expect(agent.busy$).toBeObservable(busy, { t: true, f: false });
      m.flush();
      expect(published).toStrictEqual([]);
      expect(latencyCalls).toBe(1);
      expect(scheduler.scheduled()).toBe(1);
      expect(liveAfterStop).toBe(0);
      expect(agent.isBusy()).toBe(false);
    }),
  );

  it(
    "stop() from inside publish: nothing more is published, and modifications$ completes",
    marbles((m) => {
      const events = m.hot("^-a-x-b-c--------", ev);
      const expected = "    -------A----|";
      const published: OrionEvent[] = [];
      const bus = {
        events$: events,
        publish: (event: OrionEvent) => {
          published.push(event);
          if (event.orionId === "o2") agent.stop();
        },
      };
      const batches: string[][] = [];
      const agent = agentOn(m, bus, { latency: (batch) => (batches.push(ids(batch)), 5) });
      m.expect(agent.modifications$).toBeObservable(expected, { A: orionModified(["a"]) });
      m.flush();
      // The batch [x, b] spans two orions: its second ORION_MODIFIED is never published, and
      // c, queued meanwhile, never starts a batch.
      expect(published).toStrictEqual([orionModified(["a"]), orionModified(["x"], "o2")]);
      expect(batches).toStrictEqual([["a"], ["x", "b"]]);
    }),
  );

  it("rejects a constant latency that is negative, NaN or infinite with a RangeError", () => {
    let subscribed = 0;
    const bus = {
      events$: new Observable<OrionEvent>(() => void subscribed++),
      publish: () => undefined,
    };
    for (const latency of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => createScriptedAgent(bus, { eventId: false, latency })).toThrow(RangeError);
    }
    expect(subscribed).toBe(0);
    createScriptedAgent(bus, { eventId: false, latency: 0 }).stop();
    expect(subscribed).toBe(1);
  });

  it(
    "reports a bad latency from the function through onError and answers with latency 0",
    marbles((m) => {
      const events = m.hot("^-a---b---c-------", ev);
      const expected = "    --A---B------C----";
      const errors: [unknown, string[]][] = [];
      const agent = agentOn(m, stubBus(events, m.scheduler).bus, {
        latency: (batch) => {
          const id = batch[0]?.taskId;
          if (id === "a") return -1;
          if (id === "b") throw new Error("no latency");
          return 3;
        },
        onError: (error, batch) => errors.push([error, ids(batch)]),
      });
      m.expect(agent.modifications$).toBeObservable(expected, {
        A: orionModified(["a"]),
        B: orionModified(["b"]),
        C: orionModified(["c"]),
      });
      m.flush();
      expect(errors).toHaveLength(2);
      expect(errors[0]?.[0]).toBeInstanceOf(RangeError);
      expect(errors[0]?.[1]).toStrictEqual(["a"]);
      expect(errors[1]).toStrictEqual([new Error("no latency"), ["b"]]);
    }),
  );

  it(
    "reports an edit that throws through onError, counts it as no change and still answers",
    marbles((m) => {
      const events = m.hot("^S-a-b-------", ev);
      const expected = "    -------A---B-";
      const errors: unknown[] = [];
      const agent = agentOn(m, stubBus(events, m.scheduler).bus, {
        latency: 4,
        edit: (event, o) => {
          if (event.taskId === "a") throw new Error("bad edit");
          return o && noted(o, event.taskId);
        },
        onError: (error) => errors.push(error),
      });
      m.expect(agent.modifications$).toBeObservable(expected, {
        A: orionModified(["a"]),
        B: orionModified(["b"], "o1", noted(base, "b")),
      });
      m.flush();
      expect(errors).toStrictEqual([new Error("bad edit")]);
    }),
  );

  it(
    "publishes the work in hand when the bus completes, then completes; errors with the bus",
    marbles((m) => {
      const completes = m.hot("^-a-|", ev);
      const expected = "       -------(A|)";
      const fails = m.hot("    ^-a-#", ev);
      const failure = "        ----#";
      const busy = "           f-t-(f|)";
      const options = { eventId: false as const, latency: 5, scheduler: m.scheduler };
      const completing = createScriptedAgent(stubBus(completes, m.scheduler).bus, options);
      const failing = createScriptedAgent(stubBus(fails, m.scheduler).bus, options);
      m.expect(completing.modifications$).toBeObservable(expected, { A: orionModified(["a"]) });
      m.expect(failing.modifications$).toBeObservable(failure);
      m.expect(failing.busy$).toBeObservable(busy, { t: true, f: false });
    }),
  );

  it(
    "queues a completion published re-entrantly from inside its publish (real bus)",
    marbles((m) => {
      const expected = "-------A----B-";
      const busy = "    f-t---------f-";
      const bus = createEventBus();
      const agent = agentOn(m, bus, { latency: 5 });
      const seen: string[] = [];
      // An orchestrator that completes b synchronously when a's modification arrives.
      bus.subscribe({
        onEvent: (event) => {
          seen.push(label(event));
          if (event.type === "ORION_MODIFIED" && event.onTaskIds.includes("a")) {
            bus.publish(taskCompleted("b"));
          }
        },
      });
      m.scheduler.schedule(() => bus.publish(taskCompleted("a")), 2);
      m.expect(agent.modifications$).toBeObservable(expected, {
        A: orionModified(["a"]),
        B: orionModified(["b"]),
      });
      m.expect(agent.busy$).toBeObservable(busy, { t: true, f: false });
      m.flush();
      expect(seen).toStrictEqual(["done:a", "mod:a", "done:b", "mod:b"]);
    }),
  );
});

// From a review of the hand-written batching loop: callbacks that throw past `onError`.
describe("createScriptedAgent when a callback throws past onError", () => {
  it("reports a publish that onError rethrows to RxJS, and answers the next batch", async () => {
    const scheduler = new VirtualTimeScheduler();
    const events = new Subject<OrionEvent>();
    const published: string[] = [];
    let failOnce = true;
    const bus = {
      events$: events,
      publish: (event: OrionEvent) => {
        if (event.type === "ORION_MODIFIED" && failOnce) {
          failOnce = false;
          throw new Error("broker down");
        }
        published.push(label(event));
      },
    };
    const reported: unknown[] = [];
    config.onUnhandledError = (error) => reported.push(error);
    try {
      const agent = createScriptedAgent(bus, {
        latency: 5,
        scheduler,
        eventId: false,
        onError: (error) => {
          throw error;
        },
      });
      const busy: boolean[] = [];
      agent.busy$.subscribe((value) => busy.push(value));
      scheduler.schedule(() => events.next(taskCompleted("a")), 0);
      scheduler.schedule(() => events.next(taskCompleted("b")), 2);
      scheduler.flush();
      await new Promise((resolve) => setTimeout(resolve));
      expect(published).toEqual(["mod:b"]);
      expect(busy).toEqual([false, true, false]);
      expect(reported).toEqual([new Error("broker down")]);
    } finally {
      config.onUnhandledError = null;
    }
  });

  it("ends with the error of a latency that onError rethrows", () => {
    const scheduler = new VirtualTimeScheduler();
    const events = new Subject<OrionEvent>();
    const agent = createScriptedAgent(
      { events$: events, publish: () => undefined },
      {
        latency: () => Number.NaN,
        scheduler,
        onError: (error) => {
          throw error;
        },
      },
    );
    let failure: unknown;
    agent.modifications$.subscribe({ error: (error: unknown) => (failure = error) });
    events.next(taskCompleted("a"));
    scheduler.flush();
    expect(failure).toBeInstanceOf(RangeError);
    expect(agent.isBusy()).toBe(false);
  });

  it("publishes nothing for an edit that made the bus fail", () => {
    const scheduler = new VirtualTimeScheduler();
    const events = new Subject<OrionEvent>();
    const published: OrionEvent[] = [];
    const agent = createScriptedAgent(
      { events$: events, publish: (event) => published.push(event) },
      {
        latency: 1,
        scheduler,
        edit: () => {
          events.error(new Error("bus down"));
          return undefined;
        },
      },
    );
    let failure: unknown;
    agent.modifications$.subscribe({ error: (error: unknown) => (failure = error) });
    events.next(taskCompleted("a"));
    scheduler.flush();
    expect(failure).toEqual(new Error("bus down"));
    expect(published).toEqual([]);
  });
});

describe("createScriptedAgent with a synchronous scheduler", () => {
  it("publishes from inside the bus's delivery and still answers a re-entrant completion", () => {
    const bus = createEventBus();
    const agent = createScriptedAgent(bus, {
      eventId: false,
      latency: 0,
      scheduler: queueScheduler,
    });
    const seen: string[] = [];
    bus.subscribe({
      onEvent: (event) => {
        seen.push(label(event));
        if (event.type === "ORION_MODIFIED" && event.onTaskIds.includes("a")) {
          bus.publish(taskCompleted("b"));
        }
      },
    });
    const answered: string[] = [];
    agent.modifications$.subscribe((event) => answered.push(event.onTaskIds.join()));
    bus.publish(taskCompleted("a"));
    // All within that one publish: the agent subscribed first, so its answers overtake a.
    expect(seen).toStrictEqual(["mod:a", "done:b", "mod:b", "done:a"]);
    expect(answered).toStrictEqual(["a", "b"]);
    expect(agent.isBusy()).toBe(false);
    agent.stop();
  });
});
