/**
 * Issue 13, "Done means": one describe per numbered case of the issue, each reproducing the
 * failure reported against the old `main` (888a3b0) and checking the causal fix.
 */
import { produce } from "immer";
import { filter, shareReplay, Subject, take, type Observable } from "rxjs";
import { describe, expect, it, vi } from "vitest";
import { gateReadyTasks, UnseenEventError } from "../../operators/gateReadyTasks.js";
import { pendingModifications } from "../../operators/pendingModifications.js";
import { shareState } from "../../operators/shareState.js";
import type { OrionEvent } from "../../src/events.js";
import { getReadyTasks, orion, type Dependency } from "../../src/orion/index.js";
import type { PendingState } from "../../src/pending/PendingState.js";
import { OrionModificationSynchronizer, type SynchronizerLogger } from "../../src/synchronizer.js";
import {
  emptyOrion,
  orionModified,
  orionStarted,
  taskCompleted,
  taskFailed,
  taskStarted,
  virtualTime,
} from "../../testing/index.js";
import { peek } from "../support/virtualTime.js";
import { idOf, withId, type Ready } from "./support.js";

/** A gate over `state$` keyed by each value's orion and `after` ids, collecting its output. */
function gated(
  ready: Observable<Ready>,
  state$: Observable<PendingState>,
  options: { scheduler?: ReturnType<typeof virtualTime>["scheduler"]; unseenTimeout?: number },
): { out: string[]; errors: unknown[]; unsubscribe: () => void } {
  const out: string[] = [];
  const errors: unknown[] = [];
  const sub = ready
    .pipe(
      gateReadyTasks(state$, {
        orionId: (v) => v.orionId,
        after: (v) => v.after,
        release: "all",
        ...options,
      }),
    )
    .subscribe({ next: (v) => out.push(v.task), error: (e: unknown) => errors.push(e) });
  return { out, errors, unsubscribe: () => sub.unsubscribe() };
}

describe("issue 13, case 1: wiring order (the orchestrator's trigger reaches the gate first)", () => {
  it("holds a value computed after a completion the fold has not seen yet", () => {
    const { scheduler } = virtualTime();
    const bus = new Subject<OrionEvent>();
    const ready = new Subject<Ready>();
    // The orchestrator subscribes to the bus before the fold (NestJS sagas in onModuleInit).
    bus.subscribe((e) => {
      if (e.type === "TASK_COMPLETED")
        ready.next({ orionId: e.orionId, task: "b", after: idOf(e) });
    });
    const state$ = bus.pipe(pendingModifications({ scheduler }));
    const gate = gated(ready, state$, { scheduler });
    bus.next(withId(taskCompleted("a", "o"), "c1"));
    expect(gate.out).toEqual([]);
    bus.next(withId(orionModified(["a"], "o"), "m1"));
    expect(gate.out).toEqual(["b"]);
    expect(gate.errors).toEqual([]);
    gate.unsubscribe();
  });

  it("errors with UnseenEventError when the fold never sees the event (another bus)", () => {
    const { scheduler, advance } = virtualTime();
    const bus = new Subject<OrionEvent>();
    const wrongBus = new Subject<OrionEvent>();
    const ready = new Subject<Ready>();
    bus.subscribe((e) => {
      if (e.type === "TASK_COMPLETED")
        ready.next({ orionId: e.orionId, task: "b", after: idOf(e) });
    });
    const gate = gated(ready, wrongBus.pipe(pendingModifications({ scheduler })), {
      scheduler,
      unseenTimeout: 1000,
    });
    bus.next(withId(taskCompleted("a", "o"), "c1"));
    expect(gate.out).toEqual([]);
    advance(999);
    expect(gate.errors).toEqual([]);
    advance(1);
    expect(gate.out).toEqual([]);
    expect(gate.errors).toHaveLength(1);
    const error = gate.errors[0] as UnseenEventError;
    expect(error).toBeInstanceOf(UnseenEventError);
    expect(error).toMatchObject({ orionId: "o", eventId: "c1", waitedMs: 1000 });
  });
});

describe("issue 13, case 2: wait-then-act is not atomic; whenSettled and settle tokens are", () => {
  /** When an answer lands, a task released elsewhere ends at once and registers `c`. */
  function completesCOnAnswer(sync: OrionModificationSynchronizer): void {
    sync.state$
      .pipe(
        filter((s) => s.last.kind === "completed" && s.last.trigger === "ORION_MODIFIED"),
        take(1),
      )
      .subscribe(() => sync.onEvent(withId(taskCompleted("c", "o"), "c2")));
  }

  it("`await wait(); act` can see a registration made after the wait resolved (the hole)", async () => {
    const { scheduler } = virtualTime();
    const sync = new OrionModificationSynchronizer({ scheduler });
    sync.onEvent(withId(taskCompleted("a", "o"), "c1"));
    const waited = sync
      .waitForPendingModifications(1000)
      .then((ok) => ({ ok, pending: sync.getPendingTaskIds() }));
    completesCOnAnswer(sync);
    sync.onEvent(withId(orionModified(["a"], "o"), "m1"));
    expect(await waited).toEqual({ ok: true, pending: ["c"] });
    sync.dispose();
  });

  it("whenSettled acts in the settling turn, never while a registration is pending", async () => {
    const { scheduler } = virtualTime();
    const sync = new OrionModificationSynchronizer({ scheduler });
    sync.onEvent(withId(taskCompleted("a", "o"), "c1"));
    const seenAtAct: string[][] = [];
    const acted = sync.whenSettled("o", () => {
      seenAtAct.push(sync.getPendingTaskIds("o"));
      return "started";
    });
    completesCOnAnswer(sync);
    sync.onEvent(withId(orionModified(["a"], "o"), "m1"));
    // The answer settled "o" for a moment, but `c` registered in that very turn.
    expect(seenAtAct).toEqual([]);
    expect(sync.getPendingTaskIds("o")).toEqual(["c"]);
    sync.onEvent(withId(orionModified(["c"], "o"), "m2"));
    expect(seenAtAct).toEqual([[]]);
    expect(await acted).toBe("started");
    sync.dispose();
  });

  it("a settle token taken at settle detects a registration and its answer in between", () => {
    const { scheduler } = virtualTime();
    const sync = new OrionModificationSynchronizer({ scheduler });
    sync.onEvent(withId(orionStarted(emptyOrion("o")), "o0"));
    const token = sync.settleToken("o");
    expect(token.settled).toBe(true);
    expect(sync.isStillSettled(token)).toBe(true);
    sync.onEvent(withId(taskCompleted("x", "o"), "c1"));
    sync.onEvent(withId(orionModified(["x"], "o"), "m1"));
    expect(sync.hasPendingModifications("o")).toBe(false);
    expect(sync.isStillSettled(token)).toBe(false);
    // Another orion's activity does not invalidate it.
    const fresh = sync.settleToken("o");
    sync.onEvent(withId(taskCompleted("y", "other"), "c1"));
    expect(sync.isStillSettled(fresh)).toBe(true);
    sync.dispose();
  });
  // An orion with no ORION_STARTED (or one that ended) loses its summary when nothing is
  // owed: the token must not fall back to "no change ever".
  it("a settle token of an orion never ORION_STARTED detects a registration and its answer", () => {
    const { scheduler } = virtualTime();
    const sync = new OrionModificationSynchronizer({ scheduler });
    const token = sync.settleToken("o");
    sync.onEvent(withId(taskCompleted("x", "o"), "c1"));
    sync.onEvent(withId(orionModified(["x"], "o"), "m1"));
    expect(sync.isStillSettled(token)).toBe(false);
    sync.dispose();
  });
});

describe("issue 13, case 3: a timed-out wait clears only what it waited for", () => {
  it("does not clear a modification registered after the wait began", async () => {
    const { scheduler, advance } = virtualTime();
    const sync = new OrionModificationSynchronizer({ scheduler, modificationTimeout: 10_000 });
    sync.onEvent(taskCompleted("a", "o"));
    const wait = sync.waitForPendingModifications(100);
    advance(50);
    sync.onEvent(taskCompleted("b", "o"));
    advance(50);
    expect(await wait).toBe(false);
    expect(sync.getPendingTaskIds()).toEqual(["b"]);
    expect(sync.getStatistics().timeoutModifications).toBe(1);
    sync.dispose();
  });

  it("a wait for one orion clears only that orion's modifications", async () => {
    const { scheduler, advance } = virtualTime();
    const sync = new OrionModificationSynchronizer({ scheduler, modificationTimeout: 10_000 });
    sync.onEvent(taskCompleted("a", "A"));
    sync.onEvent(taskCompleted("b", "B"));
    const wait = sync.waitForPendingModifications(100, { orionId: "A" });
    advance(100);
    expect(await wait).toBe(false);
    expect(sync.getPendingTaskIds()).toEqual(["b"]);
    expect(sync.getPendingCount("B")).toBe(1);
    sync.dispose();
  });

  it("two waits timing out together never clear twice", async () => {
    const { scheduler, advance } = virtualTime();
    const sync = new OrionModificationSynchronizer({ scheduler, modificationTimeout: 10_000 });
    sync.onEvent(taskCompleted("a", "o"));
    const first = sync.waitForPendingModifications(100);
    const second = sync.waitForPendingModifications(100);
    // The first clear releases the orchestrator, whose next task ends at once.
    sync.state$
      .pipe(
        filter((s) => s.last.kind === "cleared"),
        take(1),
      )
      .subscribe(() => sync.onEvent(taskCompleted("b", "o")));
    advance(100);
    expect(await Promise.all([first, second])).toEqual([false, false]);
    expect(sync.getPendingTaskIds()).toEqual(["b"]);
    expect(sync.getStatistics().timeoutModifications).toBe(1);
    sync.dispose();
  });

  it.each(["wait first", "gate first"] as const)(
    "the verdict does not depend on subscription order (%s)",
    async (order) => {
      const { scheduler, advance } = virtualTime();
      const sync = new OrionModificationSynchronizer({ scheduler, modificationTimeout: 100 });
      sync.onEvent(taskCompleted("a", "o"));
      sync.setModificationTimeout(10_000);
      const ready = new Subject<string>();
      let wait: Promise<boolean> | undefined;
      if (order === "wait first") wait = sync.waitForPendingModifications(1000);
      // Released when `a` expires, the next task ends at once and registers `b`.
      const sub = ready
        .pipe(sync.gate())
        .subscribe((task) => sync.onEvent(taskCompleted(task, "o")));
      ready.next("b");
      wait ??= sync.waitForPendingModifications(1000);
      advance(100);
      // Nothing was pending at the moment `a` expired, after the wait began.
      expect(await peek(wait)).toBe(true);
      expect(sync.getPendingTaskIds()).toEqual(["b"]);
      expect(sync.getStatistics().timeoutModifications).toBe(1);
      sub.unsubscribe();
      sync.dispose();
    },
  );

  it("the warning names the wait's own timeout, not the modification timeout", async () => {
    const { scheduler, advance } = virtualTime();
    const logger: SynchronizerLogger = {
      debug: vi.fn(),
      info: vi.fn(),
      warn: vi.fn(),
      error: vi.fn(),
    };
    const sync = new OrionModificationSynchronizer({
      scheduler,
      logger,
      modificationTimeout: 600_000,
    });
    sync.onEvent(taskCompleted("a", "o"));
    const wait = sync.waitForPendingModifications(100);
    advance(100);
    expect(await wait).toBe(false);
    const warnings = vi.mocked(logger.warn).mock.calls.map((call) => String(call[0]));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("100 ms");
    expect(warnings[0]).not.toContain("600000");
    sync.dispose();
  });
});

describe("issue 13, case 4: retries do not collapse", () => {
  it.each([
    ["with event ids", true],
    ["without event ids", false],
  ] as const)(
    "TASK_FAILED a, TASK_STARTED a, TASK_COMPLETED a need two answers (%s)",
    (_name, ids) => {
      const bus = new Subject<OrionEvent>();
      const ready = new Subject<Ready>();
      const id = <E extends OrionEvent>(e: E, eventId: string): E => (ids ? withId(e, eventId) : e);
      const gate = gated(ready, bus.pipe(pendingModifications()), {});
      bus.next(id(taskFailed("a", "o"), "f1"));
      bus.next(id(taskStarted("a", "o"), "s1"));
      bus.next(id(taskCompleted("a", "o"), "c1"));
      ready.next({ orionId: "o", task: "b" });
      bus.next(id(orionModified(["a"], "o"), "m1"));
      // The answer to the failure does not answer the retry's completion.
      expect(gate.out).toEqual([]);
      bus.next(id(orionModified(["a"], "o"), "m2"));
      expect(gate.out).toEqual(["b"]);
      gate.unsubscribe();
    },
  );
});

describe("issue 13, case 5: a redelivered answer does not pre-answer a retry", () => {
  it("an ORION_MODIFIED delivered again after the retry's TASK_STARTED is a duplicate", () => {
    const bus = new Subject<OrionEvent>();
    const ready = new Subject<Ready>();
    const states: PendingState[] = [];
    const state$ = bus.pipe(pendingModifications(), shareReplay(1));
    const watch = state$.subscribe((s) => states.push(s));
    const gate = gated(ready, state$, {});
    const answer = withId(orionModified(["a"], "o"), "m1");
    bus.next(withId(taskCompleted("a", "o"), "c1"));
    bus.next(answer);
    bus.next(withId(taskStarted("a", "o"), "s2"));
    bus.next(answer); // the broker redelivers
    bus.next(withId(taskCompleted("a", "o"), "c2"));
    ready.next({ orionId: "o", task: "b", after: "c2" });
    expect(gate.out).toEqual([]);
    expect(states.at(-1)?.pending.size).toBe(1);
    bus.next(withId(orionModified(["a"], "o"), "m2"));
    expect(gate.out).toEqual(["b"]);
    watch.unsubscribe();
    gate.unsubscribe();
  });
});

describe("issue 13, case 6: one orion does not hold another's ready tasks", () => {
  it("gateReadyTasks with orionId (a string or read from the value)", () => {
    const bus = new Subject<OrionEvent>();
    const state$ = bus.pipe(pendingModifications(), shareReplay(1));
    const fixed: string[] = [];
    const a = new Subject<string>();
    const subA = a.pipe(gateReadyTasks(state$, { orionId: "A" })).subscribe((v) => fixed.push(v));
    const ready = new Subject<Ready>();
    const gate = gated(ready, state$, {});
    bus.next(withId(taskCompleted("x", "B"), "c1"));
    a.next("a1");
    ready.next({ orionId: "A", task: "a2" });
    ready.next({ orionId: "B", task: "b1" });
    expect(fixed).toEqual(["a1"]);
    expect(gate.out).toEqual(["a2"]);
    bus.next(withId(orionModified(["x"], "B"), "m1"));
    expect(gate.out).toEqual(["a2", "b1"]);
    subA.unsubscribe();
    gate.unsubscribe();
  });

  it("the facade's gate({ orionId }) and per-orion queries", () => {
    const { scheduler } = virtualTime();
    const sync = new OrionModificationSynchronizer({ scheduler });
    const outA: string[] = [];
    const outB: string[] = [];
    const a = new Subject<string>();
    const b = new Subject<string>();
    const subA = a.pipe(sync.gate({ orionId: "A" })).subscribe((v) => outA.push(v));
    const subB = b.pipe(sync.gate({ orionId: "B" })).subscribe((v) => outB.push(v));
    sync.onEvent(withId(taskCompleted("x", "B"), "c1"));
    a.next("a1");
    b.next("b1");
    expect(outA).toEqual(["a1"]);
    expect(outB).toEqual([]);
    expect(sync.hasPendingModifications("A")).toBe(false);
    expect(sync.getPendingCount("B")).toBe(1);
    expect(sync.getPendingTaskIds("A")).toEqual([]);
    sync.onEvent(withId(orionModified(["x"], "B"), "m1"));
    expect(outB).toEqual(["b1"]);
    subA.unsubscribe();
    subB.unsubscribe();
    sync.dispose();
  });
});

describe("issue 13, case 7: state that survives resubscription", () => {
  it("a resubscribed gate over shareReplay({ refCount: true }) fails loudly instead of opening", () => {
    const { scheduler, advance } = virtualTime();
    const bus = new Subject<OrionEvent>();
    const ready = new Subject<Ready>();
    // The README's old wiring: the fold restarts empty when its last subscriber leaves.
    const state$ = bus.pipe(
      pendingModifications({ scheduler }),
      shareReplay({ bufferSize: 1, refCount: true }),
    );
    const first = gated(ready, state$, { scheduler, unseenTimeout: 500 });
    bus.next(withId(taskCompleted("a", "o"), "c1"));
    first.unsubscribe();
    const second = gated(ready, state$, { scheduler, unseenTimeout: 500 });
    ready.next({ orionId: "o", task: "b", after: "c1" });
    advance(500);
    expect(second.out).toEqual([]);
    expect(second.errors[0]).toBeInstanceOf(UnseenEventError);
    expect(second.errors[0]).toMatchObject({ orionId: "o", eventId: "c1" });
  });

  it("shareState() keeps the fold subscribed, so a resubscribed gate still holds", () => {
    const { scheduler, advance } = virtualTime();
    const bus = new Subject<OrionEvent>();
    const ready = new Subject<Ready>();
    const state$ = bus.pipe(pendingModifications({ scheduler }), shareState());
    const first = gated(ready, state$, { scheduler, unseenTimeout: 500 });
    bus.next(withId(taskCompleted("a", "o"), "c1"));
    first.unsubscribe();
    const second = gated(ready, state$, { scheduler, unseenTimeout: 500 });
    const plain: string[] = [];
    const plainSub = ready.pipe(gateReadyTasks(state$)).subscribe((v) => plain.push(v.task));
    ready.next({ orionId: "o", task: "b", after: "c1" });
    advance(500);
    expect(second.out).toEqual([]);
    expect(second.errors).toEqual([]);
    expect(plain).toEqual([]);
    bus.next(withId(orionModified(["a"], "o"), "m1"));
    expect(second.out).toEqual(["b"]);
    expect(plain).toEqual(["b"]);
    plainSub.unsubscribe();
    second.unsubscribe();
  });
});

describe("issue 13, case 8: model answers on immer drafts", () => {
  // Covered in depth (every model function, drafts and in-place edits, property-based) by
  // test/orion/drafts.test.ts; this is the reproduction.
  it("getReadyTasks sees an edge added on the draft after a first call", () => {
    const base = orion("o").task("a").task("b").build();
    const edge: Dependency = {
      id: "a->b",
      fromTaskId: "a",
      toTaskId: "b",
      type: "success_only",
    };
    const seen: string[][] = [];
    produce(base, (draft) => {
      seen.push(getReadyTasks(draft).map((t) => t.id));
      (draft.dependencies as Record<string, Dependency>)[edge.id] = edge;
      seen.push(getReadyTasks(draft).map((t) => t.id));
    });
    expect(seen).toEqual([["a", "b"], ["a"]]);
  });
});
