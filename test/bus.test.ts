import { describe, expect, it } from "vitest";
import { createEventBus } from "../src/bus.js";
import type { OrionEvent } from "../src/events.js";
import { pendingModifications } from "../operators/pendingModifications.js";
import type { PendingState } from "../src/pending/PendingState.js";
import { taskCompleted } from "../testing/index.js";

describe("createEventBus", () => {
  it("delivers to onEvent observers, as bus.subscribe(synchronizer) in the spec", () => {
    const bus = createEventBus();
    const seen: OrionEvent[] = [];
    const sub = bus.subscribe({ onEvent: (e) => seen.push(e) });
    bus.publish(taskCompleted("a"));
    sub.unsubscribe();
    bus.publish(taskCompleted("b"));
    expect(seen.map((e) => e.type === "TASK_COMPLETED" && e.taskId)).toEqual(["a"]);
  });

  it("feeds the operators through events$, and close() completes the fold", () => {
    const bus = createEventBus();
    const states: PendingState[] = [];
    let completed = false;
    bus.events$.pipe(pendingModifications()).subscribe({
      next: (s) => states.push(s),
      complete: () => (completed = true),
    });
    bus.publish(taskCompleted("a"));
    expect(states.at(-1)?.pending.size).toBe(1);
    bus.close();
    expect(completed).toBe(true);
  });

  it("keeps delivering when a subscriber throws, and reports the throw", () => {
    const errors: [unknown, string][] = [];
    const bus = createEventBus({ onSubscriberError: (e, ev) => errors.push([e, ev.type]) });
    const seen: string[] = [];
    bus.subscribe({
      onEvent: () => {
        throw new Error("bad observer");
      },
    });
    bus.subscribe({ onEvent: (e) => seen.push(e.type) });
    expect(() => bus.publish(taskCompleted("a"))).not.toThrow();
    bus.publish(taskCompleted("b"));
    expect(seen).toEqual(["TASK_COMPLETED", "TASK_COMPLETED"]);
    expect(errors).toHaveLength(2);
    expect((errors[0]?.[0] as Error).message).toBe("bad observer");
  });

  it("returns from publish after every subscriber has seen the event", () => {
    const bus = createEventBus();
    const states: PendingState[] = [];
    bus.events$.pipe(pendingModifications()).subscribe((s) => states.push(s));
    bus.publish(taskCompleted("a"));
    // Synchronously afterwards, the fold has registered it.
    expect(states.at(-1)?.pending.size).toBe(1);
  });
});
