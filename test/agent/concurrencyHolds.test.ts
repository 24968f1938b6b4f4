// The concurrent scripted agent under attack: bus errors and completions with work in flight,
// stops from every callback, bad latencies and bad `concurrency` values.
import { Subject } from "rxjs";
import { TestScheduler } from "rxjs/testing";
import { describe, expect, it } from "vitest";
import { createScriptedAgent, type AgentEdit } from "../../src/agent/index.js";
import { createEventBus } from "../../src/bus.js";
import type { OrionEvent, OrionModifiedEvent } from "../../src/events.js";
import { orion } from "../../src/orion/orion.js";
import { simulate } from "../../src/simulation/index.js";
import { orionStarted, taskCompleted } from "../../testing/index.js";
import { pendingTracker } from "./support.js";

function virtual(): TestScheduler {
  const s = new TestScheduler(() => undefined);
  s.maxFrames = Number.POSITIVE_INFINITY;
  return s;
}

const base = orion("o1").task("a").task("b").task("c").build();
const bump: AgentEdit = (e, o) => (o ? { ...o, name: `${o.name ?? ""}${e.taskId}` } : undefined);

describe("createScriptedAgent, concurrency: hostile callbacks and values", () => {
  it("the bus erroring with answers in flight and queued: none published, no timer left, busy false", () => {
    const m = virtual();
    const scheduler = pendingTracker(m);
    const events = new Subject<OrionEvent>();
    const published: OrionEvent[] = [];
    const agent = createScriptedAgent(
      { events$: events, publish: (e) => published.push(e) },
      { eventId: false, scheduler, latency: 5, concurrency: 2 },
    );
    let error: unknown;
    agent.modifications$.subscribe({ error: (e) => (error = e) });
    const busy: boolean[] = [];
    agent.busy$.subscribe((b) => busy.push(b));
    m.schedule(() => events.next(taskCompleted("a")), 1);
    m.schedule(() => events.next(taskCompleted("b")), 2);
    m.schedule(() => events.next(taskCompleted("c")), 3);
    m.schedule(() => events.error(new Error("bus")), 4);
    m.flush();
    expect(published).toEqual([]);
    expect(String(error)).toContain("bus");
    expect(scheduler.live()).toBe(0);
    expect(busy).toEqual([false, true, false]);
    agent.stop();
  });

  it("the bus erroring while an answer publishes: the rest dropped, nothing more published", () => {
    const m = virtual();
    const events = new Subject<OrionEvent>();
    const published: OrionEvent[] = [];
    const agent = createScriptedAgent(
      {
        events$: events,
        publish: (e) => {
          published.push(e);
          events.error(new Error("bus"));
        },
      },
      {
        eventId: false,
        scheduler: m,
        latency: (b) => (b[0]!.taskId === "a" ? 1 : 3),
        concurrency: 3,
      },
    );
    const mods: OrionModifiedEvent[] = [];
    agent.modifications$.subscribe({ next: (e) => mods.push(e), error: () => undefined });
    m.schedule(() => events.next(taskCompleted("a")), 0);
    m.schedule(() => events.next(taskCompleted("b")), 0);
    m.flush();
    expect(published.map((e) => (e as OrionModifiedEvent).onTaskIds)).toEqual([["a"]]);
    expect(mods).toEqual([]);
    expect(agent.isBusy()).toBe(false);
  });

  it("the bus completing with answers in flight and queued: all published, then completion; completing inside a declaration still answers it", () => {
    const m = virtual();
    const scheduler = pendingTracker(m);
    const events = new Subject<OrionEvent>();
    const published: OrionEvent[] = [];
    const agent = createScriptedAgent(
      {
        events$: events,
        publish: (e) => {
          published.push(e);
          if (e.type === "ORION_MODIFYING" && e.onTaskIds[0] === "c") events.complete();
        },
      },
      { eventId: false, scheduler, latency: 5, concurrency: 2, declare: () => [] },
    );
    const trace: string[] = [];
    agent.modifications$.subscribe({
      next: (e) => trace.push(`${m.now()}:${e.onTaskIds.join()}`),
      complete: () => trace.push(`${m.now()}:|`),
    });
    m.schedule(() => events.next(taskCompleted("a")), 1);
    m.schedule(() => events.next(taskCompleted("b")), 2);
    m.schedule(() => events.next(taskCompleted("c")), 3);
    m.flush();
    expect(trace).toEqual(["6:a", "7:b", "11:c", "11:|"]);
    expect(scheduler.live()).toBe(0);
    expect(agent.isBusy()).toBe(false);
  });

  it("stop() from inside edit, declare, a bus subscriber or a modifications$ subscriber: nothing more published, edit/latency not called after, no timer left", () => {
    for (const where of ["edit", "declare", "bus", "mods"] as const) {
      const m = virtual();
      const scheduler = pendingTracker(m);
      const bus = createEventBus();
      const published: OrionEvent[] = [];
      bus.subscribe({ onEvent: (e) => published.push(e) });
      let stopped = false;
      let callsAfterStop = 0;
      const note = () => {
        if (stopped) callsAfterStop++;
      };
      // eslint-disable-next-line prefer-const
      let agent: ReturnType<typeof createScriptedAgent>;
      const stop = () => {
        stopped = true;
        agent.stop();
      };
      agent = createScriptedAgent(bus, {
        eventId: false,
        scheduler,
        concurrency: 3,
        latency: (b) => (note(), b[0]!.taskId === "a" ? 2 : 4),
        edit: (e, o) => {
          note();
          if (where === "edit" && e.taskId === "a") stop();
          return bump(e, o);
        },
        declare: (e) => {
          note();
          if (where === "declare" && e.taskId === "b") stop();
          return [];
        },
      });
      bus.subscribe({
        onEvent: (e) => {
          if (where === "bus" && e.type === "ORION_MODIFIED") stop();
        },
      });
      agent.modifications$.subscribe(() => {
        if (where === "mods") stop();
      });
      bus.publish(orionStarted(base));
      m.schedule(() => bus.publish(taskCompleted("a")), 1);
      m.schedule(() => bus.publish(taskCompleted("b")), 1);
      m.schedule(() => bus.publish(taskCompleted("c")), 2);
      m.flush();
      const modified = published.filter((e) => e.type === "ORION_MODIFIED");
      expect({ where, n: modified.length, callsAfterStop, live: scheduler.live() }).toEqual({
        where,
        n: where === "edit" || where === "declare" ? 0 : 1,
        callsAfterStop: 0,
        live: 0,
      });
      expect(agent.isBusy()).toBe(false);
    }
  });

  it("a latency function that throws or returns NaN/-1/Infinity: reported, answered at once", () => {
    for (const bad of [
      () => {
        throw new Error("x");
      },
      () => Number.NaN,
      () => -1,
      () => Number.POSITIVE_INFINITY,
    ]) {
      const m = virtual();
      const events = new Subject<OrionEvent>();
      const errors: unknown[] = [];
      const agent = createScriptedAgent(
        { events$: events, publish: () => undefined },
        {
          eventId: false,
          scheduler: m,
          latency: bad,
          concurrency: 2,
          onError: (e) => errors.push(e),
        },
      );
      const at: number[] = [];
      agent.modifications$.subscribe(() => at.push(m.now()));
      m.schedule(() => events.next(taskCompleted("a")), 3);
      m.schedule(() => events.next(taskCompleted("b")), 3);
      m.schedule(() => events.next(taskCompleted("c")), 3);
      m.flush();
      expect(at).toEqual([3, 3, 3]);
      expect(errors).toHaveLength(3);
      agent.stop();
    }
  });

  it("concurrency values: strings, objects, 0, -1, 1.5, NaN, -Infinity throw; huge numbers behave like Infinity", () => {
    const bus = { events$: new Subject<OrionEvent>(), publish: () => undefined };
    for (const c of ["2", 0, -1, 1.5, Number.NaN, Number.NEGATIVE_INFINITY, true, 2n, {}, [2]]) {
      expect(() =>
        createScriptedAgent(bus, { latency: 1, concurrency: c as unknown as number }),
      ).toThrow(RangeError);
      expect(() =>
        simulate(base, {
          gated: true,
          seed: 1,
          agentLatency: [1, 1],
          taskDuration: [1, 1],
          agentConcurrency: c as unknown as number,
        }),
      ).toThrow(RangeError);
    }
    for (const c of [Number.MAX_SAFE_INTEGER, 2 ** 60, Number.MAX_VALUE]) {
      const m = virtual();
      const events = new Subject<OrionEvent>();
      const agent = createScriptedAgent(
        { events$: events, publish: () => undefined },
        { eventId: false, scheduler: m, latency: 2, concurrency: c },
      );
      const at: number[] = [];
      agent.modifications$.subscribe(() => at.push(m.now()));
      for (let i = 0; i < 20; i++) m.schedule(() => events.next(taskCompleted(`t${i}`)), 1);
      m.flush();
      expect(at).toEqual(Array(20).fill(3));
      agent.stop();
    }
  });
});
