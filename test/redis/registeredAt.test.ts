/**
 * The core option recovery needs: a completion replayed from a durable log is measured from
 * the time recorded in the event (`registeredAt`), not from its replay. Virtual time.
 */
import { Subject } from "rxjs";
import { describe, expect, it } from "vitest";
import type { OrionEvent, TaskEvent } from "../../src/events.js";
import { pendingModifications } from "../../operators/pendingModifications.js";
import { pendingKey, type PendingState } from "../../src/pending/PendingState.js";
import { initialPendingState, reducePending } from "../../src/pending/reducePending.js";
import { OrionModificationSynchronizer } from "../../src/synchronizer.js";
import { virtualTime } from "../support/virtualTime.js";

const completed = (taskId: string, timestamp?: number): TaskEvent => ({
  type: "TASK_COMPLETED",
  orionId: "o",
  taskId,
  ...(timestamp === undefined ? {} : { timestamp }),
});

function fold(registeredAt?: (event: TaskEvent) => number | undefined) {
  const time = virtualTime();
  const events = new Subject<OrionEvent>();
  let state: PendingState | undefined;
  const subscription = events
    .pipe(
      pendingModifications({
        modificationTimeout: 1000,
        scheduler: time.scheduler,
        ...(registeredAt ? { registeredAt } : {}),
      }),
    )
    .subscribe((s) => (state = s));
  return {
    time,
    events,
    subscription,
    get state(): PendingState {
      if (state === undefined) throw new Error("no state");
      return state;
    },
  };
}

describe("pendingModifications({ registeredAt })", () => {
  it("measures a registration from the event's time, and times out an overdue one at once", () => {
    const f = fold((e) => e.timestamp);
    f.time.advance(5000);
    f.events.next(completed("old", 3500)); // 1500 ms ago: overdue by 500 ms
    f.events.next(completed("recent", 4800)); // due at 5800
    const recent = f.state.pending.get(pendingKey("o", "recent"));
    expect(recent?.registeredAt).toBe(4800);
    expect(recent?.deadline).toBe(5800);
    f.time.advance(0); // the timer armed for the overdue entry fires without waiting
    expect(f.state.stats.timeoutModifications).toBe(1);
    expect(f.state.pending.has(pendingKey("o", "old"))).toBe(false);
    expect(f.state.pending.has(pendingKey("o", "recent"))).toBe(true);
    f.time.advance(799);
    expect(f.state.pending.has(pendingKey("o", "recent"))).toBe(true);
    f.time.advance(1);
    expect(f.state.pending.size).toBe(0);
    expect(f.state.stats.timeoutModifications).toBe(2);
    f.subscription.unsubscribe();
  });

  it("an answer replayed with its completion, before the timer fires, completes it", () => {
    const f = fold((e) => e.timestamp);
    f.time.advance(5000);
    f.events.next(completed("a", 10));
    f.events.next({ type: "ORION_MODIFIED", orionId: "o", onTaskIds: ["a"] });
    f.time.advance(0);
    expect(f.state.stats.completedModifications).toBe(1);
    expect(f.state.stats.timeoutModifications).toBe(0);
    f.subscription.unsubscribe();
  });

  it("caps a time in the future at now, and uses now without a time or if the option throws", () => {
    const f = fold((e) => {
      if (e.taskId === "boom") throw new Error("boom");
      return e.timestamp;
    });
    f.time.advance(100);
    f.events.next(completed("future", 99_999));
    f.events.next(completed("none"));
    f.events.next(completed("boom", 1));
    for (const task of ["future", "none", "boom"]) {
      expect(f.state.pending.get(pendingKey("o", task))?.registeredAt).toBe(100);
    }
    f.subscription.unsubscribe();
  });

  it("without the option, the arrival time is used whatever the event says", () => {
    const f = fold();
    f.time.advance(5000);
    f.events.next(completed("old", 10));
    f.time.advance(0);
    expect(f.state.pending.get(pendingKey("o", "old"))?.registeredAt).toBe(5000);
  });

  it("reducePending: `at` only moves registrations, earlier than now", () => {
    const s0 = initialPendingState(1000, 0);
    const s1 = reducePending(s0, { kind: "event", event: completed("a"), at: 40 }, 50);
    expect(s1.pending.get(pendingKey("o", "a"))).toMatchObject({
      registeredAt: 40,
      deadline: 1040,
    });
    const s2 = reducePending(s0, { kind: "event", event: completed("a"), at: Number.NaN }, 50);
    expect(s2.pending.get(pendingKey("o", "a"))?.registeredAt).toBe(50);
  });

  it("the synchronizer passes the option to its fold", () => {
    const time = virtualTime();
    const sync = new OrionModificationSynchronizer({
      modificationTimeout: 1000,
      scheduler: time.scheduler,
      registeredAt: (e) => e.timestamp,
    });
    time.advance(3000);
    sync.onEvent(completed("a", 1000));
    expect(sync.hasPendingModifications()).toBe(true);
    time.advance(0);
    expect(sync.hasPendingModifications()).toBe(false);
    expect(sync.getStatistics().timeoutModifications).toBe(1);
    sync.dispose();
  });
});
