/**
 * Findings of the adversarial review of the causal synchronization (issue 13), one test
 * each; every one failed before its fix.
 */
import { Subject } from "rxjs";
import { describe, expect, it } from "vitest";
import { gateReadyTasks } from "../../operators/gateReadyTasks.js";
import { pendingModifications } from "../../operators/pendingModifications.js";
import { shareState } from "../../operators/shareState.js";
import { MAX_EVENT_IDS, type OrionEvent } from "../../src/events.js";
import { initialPendingState, reducePending } from "../../src/pending/reducePending.js";
import { OrionModificationSynchronizer } from "../../src/synchronizer.js";
import {
  emptyOrion,
  orionModified,
  orionStarted,
  taskCompleted,
  taskStarted,
  virtualTime,
} from "../../testing/index.js";

/** A fold over a Subject bus, shared the safe way and started. */
function fold(modificationTimeout?: number) {
  const { scheduler, advance } = virtualTime();
  const bus = new Subject<OrionEvent>();
  const state$ = bus.pipe(
    pendingModifications({ scheduler, ...(modificationTimeout ? { modificationTimeout } : {}) }),
    shareState(),
  );
  const keep = state$.subscribe();
  return { scheduler, advance, bus, state$, stop: () => keep.unsubscribe() };
}

describe("gateReadyTasks under re-entrant releases and forgetting", () => {
  it("a release that re-enters and holds a new value of the same orion does not lose it", () => {
    const { scheduler, bus, state$, stop } = fold();
    const ready = new Subject<{ orionId: string; task: string }>();
    const out: string[] = [];
    let completed = false;
    ready.pipe(gateReadyTasks(state$, { orionId: (v) => v.orionId, scheduler })).subscribe({
      next: (v) => {
        out.push(v.task);
        if (v.task === "x1") {
          // x1 ends at once; what it made ready (x2) must wait for the answer.
          bus.next({ ...taskCompleted("x1", "X"), eventId: "cx1" });
          ready.next({ orionId: "X", task: "x2" });
        }
      },
      complete: () => (completed = true),
    });
    bus.next({ ...taskCompleted("a", "X"), eventId: "ca" });
    bus.next({ ...taskCompleted("b", "Y"), eventId: "cb" });
    ready.next({ orionId: "X", task: "x1" });
    ready.next({ orionId: "Y", task: "y1" });
    bus.next({ ...orionModified(["a"], "X"), eventId: "ma" });
    expect(out).toEqual(["x1"]);
    bus.next({ ...orionModified(["x1"], "X"), eventId: "mx1" });
    bus.next({ ...orionModified(["b"], "Y"), eventId: "mb" });
    ready.complete();
    expect(out).toEqual(["x1", "x2", "y1"]);
    expect(completed).toBe(true);
    stop();
  });

  it("release 'all': a value queued behind a blocked one keeps the ids the fold saw, even once forgotten", () => {
    const { scheduler, advance, bus, state$, stop } = fold(1000);
    const ready = new Subject<{ task: string; after: string }>();
    const out: string[] = [];
    const errors: unknown[] = [];
    ready
      .pipe(
        gateReadyTasks(state$, {
          orionId: "X",
          after: (v) => v.after,
          release: "all",
          unseenTimeout: 5000,
          scheduler,
        }),
      )
      .subscribe({ next: (v) => out.push(v.task), error: (e: unknown) => errors.push(e) });
    bus.next({ ...taskCompleted("a", "X"), eventId: "c1" });
    ready.next({ task: "v1", after: "c1" });
    ready.next({ task: "v2", after: "e2" });
    advance(10);
    bus.next({ ...taskStarted("b", "X"), eventId: "e2" }); // seen while v2 waits behind v1
    advance(890);
    bus.next({ ...taskCompleted("c", "X"), eventId: "c3" });
    advance(600); // a timed out at 1000, e2 forgotten at 1010
    bus.next({ ...orionModified(["c"], "X"), eventId: "m3" });
    advance(5000);
    expect(out).toEqual(["v1", "v2"]);
    expect(errors).toEqual([]);
    stop();
  });
});

describe("the fold reads an event once", () => {
  it("a getter cannot pass the parse with one list and answer another", () => {
    let reads = 0;
    const huge = Array.from({ length: 300_000 }, (_, i) => `t${i}`);
    const hostile = {
      type: "ORION_MODIFIED",
      orionId: "o",
      get onTaskIds() {
        return ++reads === 1 ? ["a"] : huge;
      },
    };
    const s = reducePending(initialPendingState(1000, 0), { kind: "event", event: hostile }, 0);
    expect(reads).toBe(1);
    expect(s.anticipatedCount).toBe(1);
    expect(s.anticipatedCount).toBeLessThanOrEqual(MAX_EVENT_IDS);
  });
});

describe("anticipated ids are not redeliveries", () => {
  it("an ORION_STARTED and a TASK_STARTED whose ids an answer named early are applied", () => {
    const { scheduler, advance } = virtualTime();
    const sync = new OrionModificationSynchronizer({ scheduler });
    const errors: unknown[] = [];
    const passed: string[] = [];
    sync.onEvent({
      type: "ORION_MODIFIED",
      orionId: "o",
      onTaskIds: ["a"],
      onEventIds: ["r:1", "r:2"],
      eventId: "m1",
    });
    sync.onEvent({ ...orionStarted(emptyOrion("o")), eventId: "r:1" });
    sync.onEvent({ ...taskStarted("a", "o"), eventId: "r:2" });
    const ready = new Subject<string>();
    ready
      .pipe(sync.gate({ orionId: "o", after: (v: string) => v, unseenTimeout: 1000 }))
      .subscribe({
        next: (v) => passed.push(v),
        error: (e: unknown) => errors.push(e),
      });
    ready.next("r:1");
    advance(1000);
    expect(sync.getStatistics().duplicateEvents).toBe(0);
    expect(sync.getCurrentOrion("o")).toBeDefined();
    expect(errors).toEqual([]);
    expect(passed).toEqual(["r:1"]);
    sync.dispose();
  });

  it("an answer whose own id an earlier answer named is applied, newOrion included", () => {
    const { scheduler } = virtualTime();
    const sync = new OrionModificationSynchronizer({ scheduler, modificationTimeout: 1000 });
    sync.onEvent({ ...orionStarted(emptyOrion("o")), eventId: "s" });
    sync.onEvent({
      type: "ORION_MODIFIED",
      orionId: "o",
      onTaskIds: ["x"],
      onEventIds: ["agent:2"],
      eventId: "agent:1",
    });
    sync.onEvent({ ...taskCompleted("a", "o"), eventId: "c1" });
    sync.onEvent({
      type: "ORION_MODIFIED",
      orionId: "o",
      onTaskIds: ["a"],
      onEventIds: ["c1"],
      newOrion: { ...emptyOrion("o"), name: "edited" },
      eventId: "agent:2",
    });
    expect(sync.getPendingTaskIds("o")).toEqual([]);
    expect(sync.getCurrentOrion("o")?.name).toBe("edited");
    sync.dispose();
  });
});

describe("a per-orion wait's verdict does not depend on subscription order", () => {
  it.each(["wait first", "clearer first"] as const)(
    "an answer settles X even when a subscriber then clears Y (%s)",
    async (order) => {
      const { scheduler } = virtualTime();
      const sync = new OrionModificationSynchronizer({ scheduler });
      sync.onEvent({ ...taskCompleted("a", "X"), eventId: "ca" });
      sync.onEvent({ ...taskCompleted("b", "Y"), eventId: "cb" });
      let wait: Promise<boolean> | undefined;
      if (order === "wait first") wait = sync.waitForPendingModifications(1000, { orionId: "X" });
      const sub = sync.state$.subscribe((s) => {
        if (s.last.kind === "completed" && s.last.orionId === "X") sync.clearPendingModifications();
      });
      wait ??= sync.waitForPendingModifications(1000, { orionId: "X" });
      sync.onEvent({ ...orionModified(["a"], "X"), eventId: "ma" });
      expect(await wait).toBe(true);
      sub.unsubscribe();
      sync.dispose();
    },
  );
});
