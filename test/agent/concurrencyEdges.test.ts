// The concurrent scripted agent at its edges: stopped or failed from inside its own callbacks,
// and re-entrant completions with a scheduler that runs nested actions at once. Each case runs
// with the batching agent too, which always kept to these rules.
import { config, Subject, Subscription, type SchedulerLike } from "rxjs";
import { TestScheduler } from "rxjs/testing";
import { describe, expect, it } from "vitest";
import { createScriptedAgent, type AgentEdit } from "../../src/agent/index.js";
import { createEventBus } from "../../src/bus.js";
import type { OrionEvent, OrionModifiedEvent, TaskEvent } from "../../src/events.js";
import { orion } from "../../src/orion/orion.js";
import type { TaskOrion } from "../../src/orion/types.js";
import { orionStarted, taskCompleted } from "../../testing/index.js";
import { trackingScheduler } from "../support/trackingScheduler.js";

const base = orion("o1").task("a").task("b").task("c").build();
const notesOf = (o: TaskOrion | undefined): string =>
  o === undefined ? "" : String(o.metadata?.["notes"] ?? "");
const noting: AgentEdit = (event, o) =>
  o === undefined
    ? undefined
    : { ...o, metadata: { notes: notesOf(o) ? `${notesOf(o)},${event.taskId}` : event.taskId } };

function virtual(): TestScheduler {
  const s = new TestScheduler(() => undefined);
  s.maxFrames = Number.POSITIVE_INFINITY;
  return s;
}

/** A scheduler that runs every action at once, nested or not (delay ignored). */
const synchronousScheduler: SchedulerLike = {
  now: () => 0,
  schedule(work: (this: unknown, state?: unknown) => void, _delay?: number, state?: unknown) {
    work.call({ schedule: () => new Subscription() }, state);
    return new Subscription();
  },
} as SchedulerLike;

describe("createScriptedAgent, concurrency: stops, bus errors and re-entrancy", () => {
  it("stop() from inside `latency` leaves no timer behind", () => {
    for (const concurrency of [1, 2]) {
      const m = virtual();
      const scheduler = trackingScheduler(m);
      const events = new Subject<OrionEvent>();
      const agent = createScriptedAgent(
        { events$: events, publish: () => undefined },
        {
          eventId: false,
          scheduler,
          concurrency,
          latency: () => {
            agent.stop();
            return 10;
          },
        },
      );
      events.next(taskCompleted("a"));
      expect({ concurrency, live: scheduler.live() }).toEqual({ concurrency, live: 0 });
      expect({ concurrency, actions: m.actions.length }).toEqual({ concurrency, actions: 0 });
    }
  });

  it("stop() from a busy$ subscriber as busy turns true: latency is not called after it, and no timer is left", () => {
    for (const concurrency of [1, 2]) {
      const m = virtual();
      const scheduler = trackingScheduler(m);
      const events = new Subject<OrionEvent>();
      let latencyCalls = 0;
      let stoppedAt = -1;
      const agent = createScriptedAgent(
        { events$: events, publish: () => undefined },
        {
          eventId: false,
          scheduler,
          concurrency,
          latency: () => {
            latencyCalls++;
            return 10;
          },
        },
      );
      agent.busy$.subscribe((busy) => {
        if (busy) {
          stoppedAt = latencyCalls;
          agent.stop();
        }
      });
      events.next(taskCompleted("a"));
      expect(stoppedAt).toBe(0);
      // "neither latency nor edit is called after it": the batching agent keeps to it.
      expect({ concurrency, latencyCalls, live: scheduler.live() }).toEqual({
        concurrency,
        latencyCalls: 0,
        live: 0,
      });
    }
  });

  it("the bus erroring from inside `latency` drops the answer: nothing is published, no timer is left", () => {
    for (const concurrency of [1, 2]) {
      const m = virtual();
      const events = new Subject<OrionEvent>();
      const published: OrionEvent[] = [];
      const agent = createScriptedAgent(
        { events$: events, publish: (e) => published.push(e) },
        {
          eventId: false,
          scheduler: m,
          concurrency,
          latency: () => {
            events.error(new Error("bus down"));
            return 5;
          },
        },
      );
      agent.modifications$.subscribe({ error: () => undefined });
      m.schedule(() => events.next(taskCompleted("a")), 1);
      m.flush();
      // "errors when the bus errors, dropping the work in hand"
      expect({ concurrency, published }).toEqual({ concurrency, published: [] });
      expect({ concurrency, actions: m.actions.length }).toEqual({ concurrency, actions: 0 });
    }
  });

  it("with a scheduler that runs nested actions at once, a completion published while an answer publishes is answered after it, with its edit", () => {
    for (const concurrency of [1, 2]) {
      const bus = createEventBus();
      const agent = createScriptedAgent(bus, {
        eventId: false,
        latency: 0,
        edit: noting,
        concurrency,
        scheduler: synchronousScheduler,
      });
      bus.subscribe({
        onEvent: (event) => {
          if (event.type === "ORION_MODIFIED" && event.onTaskIds.includes("a")) {
            bus.publish(taskCompleted("b"));
          }
        },
      });
      // What a subscriber after the re-entrant publisher sees on the bus.
      const onBus: OrionModifiedEvent[] = [];
      bus.subscribe({
        onEvent: (event) => {
          if (event.type === "ORION_MODIFIED") onBus.push(event);
        },
      });
      const emitted: OrionModifiedEvent[] = [];
      agent.modifications$.subscribe((e) => emitted.push(e));
      bus.publish(orionStarted(base));
      bus.publish(taskCompleted("a"));
      agent.stop();
      const summary = (list: OrionModifiedEvent[]) =>
        list.map((e) => `${e.onTaskIds.join()}:${notesOf(e.newOrion)}`);
      // Each newOrion, in the order published/emitted, must hold every edit before it.
      expect({ concurrency, emitted: summary(emitted) }).toEqual({
        concurrency,
        emitted: ["a:a", "b:a,b"],
      });
      expect({ concurrency, onBus: summary(onBus) }).toEqual({
        concurrency,
        onBus: ["a:a", "b:a,b"],
      });
    }
  });
});

export type { TaskEvent };

describe("createScriptedAgent, concurrency: an answer dropped by its id", () => {
  it("keeps out of the view the edit of an answer whose eventId function threw", async () => {
    // The throw leaves the agent through its bus subscription: RxJS reports it as unhandled,
    // on a timer that reads `config` when it fires.
    const unhandled: unknown[] = [];
    const previous = config.onUnhandledError;
    config.onUnhandledError = (error) => unhandled.push(error);
    try {
      const bus = createEventBus();
      const published: OrionModifiedEvent[] = [];
      bus.events$.subscribe((event) => {
        if (event.type === "ORION_MODIFIED") published.push(event);
      });
      let ids = 0;
      createScriptedAgent(bus, {
        latency: 0,
        concurrency: 2,
        scheduler: synchronousScheduler,
        edit: noting,
        eventId: (orionId, n) => {
          if (++ids === 1) throw new Error("id service down");
          return `${orionId}#${n}`;
        },
      });
      bus.publish(orionStarted(base));
      bus.publish(taskCompleted("a"));
      bus.publish(taskCompleted("b"));
      expect(published.map((e) => [e.onTaskIds, notesOf(e.newOrion)])).toEqual([[["b"], "b"]]);
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(unhandled.map((e) => (e as Error).message)).toEqual(["id service down"]);
    } finally {
      config.onUnhandledError = previous;
    }
  });
});
