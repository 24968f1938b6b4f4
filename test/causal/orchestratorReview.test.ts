/**
 * Findings of the adversarial review in the reference orchestrator (issue 13): each failed
 * before its fix.
 */
import { map, queueScheduler, timer, type SchedulerLike } from "rxjs";
import { expect, it } from "vitest";
import { createScriptedAgent } from "../../src/agent/createScriptedAgent.js";
import { createEventBus } from "../../src/bus.js";
import type { OrionEvent, OrionStartedEvent, TaskEvent } from "../../src/events.js";
import { orchestrateOrion } from "../../src/orchestrator/orchestrateOrion.js";
import { orion } from "../../src/orion/orion.js";
import type { TaskOrion } from "../../src/orion/types.js";
import { OrionModificationSynchronizer } from "../../src/synchronizer.js";
import { virtualTime } from "../../testing/index.js";

/**
 * Orchestrates a (first) then b (params v: "OLD"), each ending synchronously, and returns
 * the `v` each task ran with.
 */
function runTwoTasks(
  bus: ReturnType<typeof createEventBus>,
  sync: OrionModificationSynchronizer,
  scheduler: SchedulerLike,
): Record<string, unknown> {
  const ranWith: Record<string, unknown> = {};
  orchestrateOrion(
    orion("o")
      .task("a", { priority: 4 })
      .task("b", { priority: 1, params: { v: "OLD" } })
      .build(),
    {
      bus,
      synchronizer: sync,
      scheduler,
      executeTask: (task) => ((ranWith[task.id] = task.params["v"]), "ok"),
    },
  ).subscribe();
  return ranWith;
}

it("a removed task that ends late does not ask the gate again for an id the fold may have forgotten", () => {
  const { scheduler, advance } = virtualTime();
  const bus = createEventBus();
  const sync = new OrionModificationSynchronizer({
    scheduler,
    modificationTimeout: 1000,
    merge: { dropRemovedTasks: true },
  });
  sync.connect(bus.events$);
  const events: OrionEvent[] = [];
  let answer: OrionEvent | undefined;
  bus.subscribe({
    onEvent: (e) => {
      events.push(e);
      if (e.type === "TASK_COMPLETED" && e.taskId === "a") {
        const id = (e as TaskEvent).eventId as string;
        // The agent removes b (still running) in its answer to a, 10 ms later.
        scheduler.schedule(() => {
          answer = {
            type: "ORION_MODIFIED",
            orionId: "o",
            onTaskIds: ["a"],
            onEventIds: [id],
            newOrion: orion("o").task("a").build(),
            eventId: "agent:1",
          };
          bus.publish(answer);
        }, 10);
      }
    },
  });
  let error: unknown;
  let finished = false;
  orchestrateOrion(orion("o").task("a").task("b").build(), {
    bus,
    synchronizer: sync,
    scheduler,
    executeTask: (task) => timer(task.id === "a" ? 10 : 5000, scheduler).pipe(map(() => "ok")),
  }).subscribe({
    next: (p) => {
      if (p.kind === "finished") finished = true;
    },
    error: (e: unknown) => (error = e),
  });
  advance(2000);
  bus.publish(answer as OrionEvent); // the broker redelivers the agent's answer, late
  advance(3000); // b ends (removed: nothing published), the orchestrator re-triggers
  advance(40_000);

  expect(error).toBeUndefined();
  expect(finished).toBe(true);
  sync.dispose();
});

it("a task started after an answer in the same turn runs the agent's new definition", () => {
  const { scheduler } = virtualTime();
  const bus = createEventBus();
  const sync = new OrionModificationSynchronizer({ scheduler });
  sync.connect(bus.events$);
  // A rule-based agent on the bus that answers in the same turn (sync bus, subscribed after the synchronizer).
  let view: TaskOrion | undefined;
  bus.subscribe({
    onEvent: (e: OrionEvent) => {
      if (e.type === "ORION_STARTED") view = (e as OrionStartedEvent).orion;
      if (e.type === "TASK_COMPLETED" && e.taskId === "a" && view) {
        const b = view.tasks["b"]!;
        view = { ...view, tasks: { ...view.tasks, b: { ...b, params: { v: "NEW" } } } };
        bus.publish({
          type: "ORION_MODIFIED",
          orionId: "o",
          onTaskIds: ["a"],
          onEventIds: [(e as TaskEvent).eventId as string],
          newOrion: view,
          eventId: "agent:1",
        });
      }
    },
  });
  const ranWith = runTwoTasks(bus, sync, scheduler);
  scheduler.flush();
  // b started after a's completion was answered with an edit of b.
  expect(ranWith["b"]).toBe("NEW");
  sync.dispose();
});

it("with a scripted agent on queueScheduler (latency 0), b runs the agent's definition", () => {
  const { scheduler } = virtualTime();
  const bus = createEventBus();
  const sync = new OrionModificationSynchronizer({ scheduler });
  sync.connect(bus.events$);
  const log: string[] = [];
  bus.subscribe({
    onEvent: (e: OrionEvent) => log.push(`${e.type}${"taskId" in e ? ":" + e.taskId : ""}`),
  });
  createScriptedAgent(bus, {
    latency: 0,
    scheduler: queueScheduler,
    edit: (event, view) =>
      event.taskId === "a" && view
        ? { ...view, tasks: { ...view.tasks, b: { ...view.tasks["b"]!, params: { v: "NEW" } } } }
        : undefined,
  });
  const ranWith = runTwoTasks(bus, sync, scheduler);
  scheduler.flush();

  expect(ranWith["b"]).toBe("NEW");
  sync.dispose();
});
