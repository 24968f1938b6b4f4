import { describe, expect, it } from "vitest";
import { createScriptedAgent } from "../../src/agent/index.js";
import { createEventBus } from "../../src/bus.js";
import type { OrionEvent } from "../../src/events.js";
import { orion } from "../../src/orion/orion.js";
import { virtualTime } from "../../testing/index.js";

// The scripted agent's declared scope (issue 16): an ORION_MODIFYING at once per completion.

const base = orion("o1").task("a").task("b", { after: "a" }).task("c").build();

function setup(declare: Parameters<typeof createScriptedAgent>[1]["declare"]) {
  const { scheduler } = virtualTime();
  const bus = createEventBus();
  const seen: { at: number; event: OrionEvent }[] = [];
  bus.subscribe({ onEvent: (event) => seen.push({ at: scheduler.now(), event }) });
  const errors: unknown[] = [];
  const agent = createScriptedAgent(bus, {
    scheduler,
    latency: 50,
    eventId: (orionId, n) => `${orionId}:agent:${n}`,
    onError: (error) => errors.push(error),
    ...(declare === undefined ? {} : { declare }),
  });
  return { scheduler, bus, seen, errors, agent };
}

describe("createScriptedAgent declare", () => {
  it("declares each completion's scope at once, before the batch's latency, even while busy", () => {
    const { scheduler, bus, seen } = setup((event, view) =>
      Object.values(view?.dependencies ?? {})
        .filter((d) => d.fromTaskId === event.taskId)
        .map((d) => d.toTaskId),
    );
    bus.publish({ type: "ORION_STARTED", orionId: "o1", orion: base });
    bus.publish({ type: "TASK_COMPLETED", orionId: "o1", taskId: "a", eventId: "r:1" });
    scheduler.schedule(() => {
      bus.publish({ type: "TASK_COMPLETED", orionId: "o1", taskId: "c", eventId: "r:2" });
    }, 10);
    scheduler.flush();
    const agentEvents = seen
      .filter((e) => e.event.type === "ORION_MODIFYING" || e.event.type === "ORION_MODIFIED")
      .map((e) => ({ at: e.at, event: e.event }));
    expect(agentEvents).toEqual([
      {
        at: 0,
        event: {
          type: "ORION_MODIFYING",
          orionId: "o1",
          onTaskIds: ["a"],
          onEventIds: ["r:1"],
          scope: ["b"],
          eventId: "o1:agent:1",
        },
      },
      {
        at: 10,
        event: {
          type: "ORION_MODIFYING",
          orionId: "o1",
          onTaskIds: ["c"],
          onEventIds: ["r:2"],
          scope: [],
          eventId: "o1:agent:2",
        },
      },
      { at: 50, event: expect.objectContaining({ type: "ORION_MODIFIED", onTaskIds: ["a"] }) },
      { at: 100, event: expect.objectContaining({ type: "ORION_MODIFIED", onTaskIds: ["c"] }) },
    ]);
  });

  it("undefined declares nothing; an id-less completion is named by task; a throw is reported", () => {
    const { scheduler, bus, seen, errors } = setup((event) => {
      if (event.taskId === "c") throw new Error("no scope");
      return event.taskId === "b" ? undefined : ["b"];
    });
    bus.publish({ type: "TASK_COMPLETED", orionId: "o1", taskId: "a" });
    bus.publish({ type: "TASK_COMPLETED", orionId: "o1", taskId: "b" });
    bus.publish({ type: "TASK_COMPLETED", orionId: "o1", taskId: "c" });
    scheduler.flush();
    const declarations = seen.filter((e) => e.event.type === "ORION_MODIFYING");
    expect(declarations.map((e) => e.event)).toEqual([
      {
        type: "ORION_MODIFYING",
        orionId: "o1",
        onTaskIds: ["a"],
        scope: ["b"],
        eventId: "o1:agent:1",
      },
    ]);
    expect(errors).toHaveLength(1);
  });

  it("without declare, publishes no ORION_MODIFYING", () => {
    const { scheduler, bus, seen } = setup(undefined);
    bus.publish({ type: "TASK_COMPLETED", orionId: "o1", taskId: "a" });
    scheduler.flush();
    expect(seen.some((e) => e.event.type === "ORION_MODIFYING")).toBe(false);
  });
});

describe("createScriptedAgent declare, when the bus ends inside a declaration", () => {
  it("still answers the completion whose declaration's publish completed the bus, then completes", () => {
    const { scheduler, bus, agent } = setup(() => ["b"]);
    const answers: { at: number; onTaskIds: readonly string[] }[] = [];
    let completedAt: number | undefined;
    agent.modifications$.subscribe({
      next: (m) => answers.push({ at: scheduler.now(), onTaskIds: m.onTaskIds }),
      complete: () => (completedAt = scheduler.now()),
    });
    bus.subscribe({ onEvent: (event) => void (event.type === "ORION_MODIFYING" && bus.close()) });
    bus.publish({ type: "ORION_STARTED", orionId: "o1", orion: base });
    bus.publish({ type: "TASK_COMPLETED", orionId: "o1", taskId: "a", eventId: "r:1" });
    scheduler.flush();
    expect(answers).toEqual([{ at: 50, onTaskIds: ["a"] }]);
    expect(completedAt).toBe(50);
  });
});
