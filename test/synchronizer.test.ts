import { finalize, of, Subject, throwError } from "rxjs";
import { describe, expect, it } from "vitest";
import { createEventBus } from "../src/bus.js";
import type { OrionEvent } from "../src/events.js";
import { orion } from "../src/orion/orion.js";
import { startTask } from "../src/orion/startTask.js";
import { completeTask } from "../src/orion/completeTask.js";
import type { PendingState } from "../src/pending/PendingState.js";
import { OrionModificationSynchronizer, type SynchronizerLogger } from "../src/synchronizer.js";
import { orionModified, taskCompleted, virtualTime } from "../testing/index.js";
import { trackingScheduler } from "./support/trackingScheduler.js";
import { peek } from "./support/virtualTime.js";

function recordingLogger() {
  const lines: [keyof SynchronizerLogger, string][] = [];
  const logger: SynchronizerLogger = {
    debug: (m) => lines.push(["debug", m]),
    info: (m) => lines.push(["info", m]),
    warn: (m) => lines.push(["warn", m]),
    error: (m) => lines.push(["error", m]),
  };
  return { lines, logger };
}

describe("OrionModificationSynchronizer", () => {
  it("subscribes to a bus as in the spec and tracks pending modifications", () => {
    const bus = createEventBus();
    const sync = new OrionModificationSynchronizer();
    bus.subscribe(sync);
    bus.publish(taskCompleted("a"));
    bus.publish(taskCompleted("b", "o2"));
    expect(sync.hasPendingModifications()).toBe(true);
    expect(sync.getPendingCount()).toBe(2);
    expect(sync.getPendingTaskIds().sort()).toEqual(["a", "b"]);
    bus.publish(orionModified(["a"]));
    expect(sync.getPendingTaskIds()).toEqual(["b"]);
    const stats = sync.getStatistics();
    expect(stats).toMatchObject({ totalModifications: 2, completedModifications: 1 });
    (stats as { totalModifications: number }).totalModifications = 99;
    expect(sync.getStatistics().totalModifications).toBe(2);
    sync.dispose();
  });

  it("resolves a wait when the agent answers", async () => {
    const sync = new OrionModificationSynchronizer();
    sync.onEvent(taskCompleted("a"));
    const wait = sync.waitForPendingModifications();
    expect(await peek(wait)).toBe("unsettled");
    sync.onEvent(orionModified(["a"]));
    expect(await wait).toBe(true);
    sync.dispose();
  });

  it("on a wait's timeout, clears what is pending, counts it as timed out, and resolves false", async () => {
    const { scheduler, advance } = virtualTime();
    const { lines, logger } = recordingLogger();
    const sync = new OrionModificationSynchronizer({ scheduler, logger });
    sync.onEvent(taskCompleted("a"));
    sync.onEvent(taskCompleted("b"));
    const first = sync.waitForPendingModifications(1000);
    const second = sync.waitForPendingModifications(5000);
    advance(1000);
    expect(await first).toBe(false);
    expect(await second).toBe(false);
    expect(sync.getPendingCount()).toBe(0);
    expect(sync.getStatistics()).toMatchObject({ totalModifications: 2, timeoutModifications: 2 });
    expect(lines.some(([level, m]) => level === "warn" && m.includes("Cleared 2"))).toBe(true);
    sync.dispose();
  });

  it("times a stuck modification out by itself and warns naming the task", () => {
    const { scheduler, advance } = virtualTime();
    const { lines, logger } = recordingLogger();
    const sync = new OrionModificationSynchronizer({
      scheduler,
      logger,
      modificationTimeout: 600_000,
    });
    sync.onEvent(taskCompleted("slow"));
    advance(599_999);
    expect(sync.getPendingCount()).toBe(1);
    advance(1);
    expect(sync.getPendingCount()).toBe(0);
    expect(sync.getStatistics().timeoutModifications).toBe(1);
    const warning = lines.find(([level]) => level === "warn")?.[1];
    expect(warning).toContain("'slow'");
    expect(warning).toContain("600000 ms");
    sync.dispose();
  });

  it("clearPendingModifications counts the cleared entries and resolves waits false", async () => {
    const sync = new OrionModificationSynchronizer();
    sync.onEvent(taskCompleted("a"));
    const wait = sync.waitForPendingModifications();
    sync.clearPendingModifications();
    expect(await wait).toBe(false);
    expect(sync.getStatistics()).toMatchObject({
      clearedModifications: 1,
      timeoutModifications: 0,
    });
    expect(await sync.waitForPendingModifications()).toBe(true);
    sync.dispose();
  });

  it("an aborted wait leaves the pending set alone", async () => {
    const sync = new OrionModificationSynchronizer();
    sync.onEvent(taskCompleted("a"));
    const controller = new AbortController();
    const wait = sync.waitForPendingModifications(undefined, { signal: controller.signal });
    controller.abort(new Error("cancelled"));
    await expect(wait).rejects.toThrow("cancelled");
    expect(sync.getPendingCount()).toBe(1);
    expect(sync.getStatistics().timeoutModifications).toBe(0);
    sync.dispose();
  });

  it("rejects bad timeouts with a RangeError", () => {
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new OrionModificationSynchronizer({ modificationTimeout: bad })).toThrow(
        RangeError,
      );
    }
    const sync = new OrionModificationSynchronizer();
    for (const bad of [0, -1, Number.NaN, Number.NEGATIVE_INFINITY]) {
      expect(() => sync.setModificationTimeout(bad)).toThrow(RangeError);
      expect(() => sync.waitForPendingModifications(bad)).toThrow(RangeError);
    }
    sync.dispose();
  });

  it("setModificationTimeout applies to new registrations", () => {
    const { scheduler, advance } = virtualTime();
    const sync = new OrionModificationSynchronizer({ scheduler });
    sync.onEvent(taskCompleted("old"));
    sync.setModificationTimeout(100);
    expect(sync.getModificationTimeout()).toBe(100);
    sync.onEvent(taskCompleted("new"));
    advance(100);
    expect(sync.getPendingTaskIds()).toEqual(["old"]);
    sync.dispose();
  });

  it("merges the agent's orion with the orchestrator's execution state", () => {
    const base = orion("o1")
      .task("a", { params: { v: 1 } })
      .task("b", { after: "a", params: { mode: "draft" } })
      .build();
    const sync = new OrionModificationSynchronizer();
    // Without an agent orion, the orchestrator's comes back unchanged.
    expect(sync.mergeAndSyncOrionStates(base)).toBe(base);
    sync.onEvent({ type: "ORION_STARTED", orionId: "o1", orion: base });
    const running = startTask(base, "a", 1);
    const done = completeTask(running, "a", { success: true, result: "ok" }, 2).orion;
    sync.onEvent(taskCompleted("a"));
    const edited = orion("o1")
      .task("a", { params: { v: 1 } })
      .task("b", { after: "a", params: { mode: "final" } })
      .build();
    sync.onEvent(orionModified(["a"], "o1", edited));
    const merged = sync.mergeAndSyncOrionStates(done);
    expect(merged.tasks["a"]?.status).toBe("completed");
    expect(merged.tasks["b"]?.params).toEqual({ mode: "final" });
    expect(sync.getCurrentOrion()).toBe(merged);
    sync.dispose();
  });

  it("replays the current state to late subscribers, and statistics$ follows the stats", () => {
    const sync = new OrionModificationSynchronizer();
    sync.onEvent(taskCompleted("a"));
    let seen: PendingState | undefined;
    sync.state$.subscribe((s) => (seen = s)).unsubscribe();
    expect(seen?.pending.size).toBe(1);
    const totals: number[] = [];
    const sub = sync.statistics$.subscribe((s) => totals.push(s.totalModifications));
    sync.onEvent(taskCompleted("b"));
    sync.onEvent(taskCompleted("b")); // duplicate: stats change, total does not
    expect(totals).toEqual([1, 2, 2]);
    sub.unsubscribe();
    sync.dispose();
  });

  it("gate() holds ready tasks while anything is pending", () => {
    const sync = new OrionModificationSynchronizer();
    const ready = new Subject<string>();
    const out: string[] = [];
    const sub = ready.pipe(sync.gate()).subscribe((v) => out.push(v));
    ready.next("x");
    sync.onEvent(taskCompleted("a"));
    ready.next("y");
    expect(out).toEqual(["x"]);
    sync.onEvent(orionModified(["a"]));
    expect(out).toEqual(["x", "y"]);
    sub.unsubscribe();
    sync.dispose();
  });

  it("a gate made in reaction to a registration starts closed, while other gates share the state", () => {
    // All gates of a synchronizer share one subscription to state$, which replays the last
    // open/close state. A state$ subscriber that hears a registration before that shared
    // subscription does, and reacts by making a gated pipeline, must not get the replayed
    // "empty" state: its gate starts from the synchronizer's current state.
    const sync = new OrionModificationSynchronizer();
    const started: { value: string; pendingNow: number }[] = [];
    let reacted = false;
    sync.state$.subscribe((s) => {
      if (s.pending.size === 0 || reacted) return;
      reacted = true;
      of("b")
        .pipe(sync.gate())
        .subscribe((value) => started.push({ value, pendingNow: sync.getPendingCount() }));
    });
    const keepShared = new Subject<string>().pipe(sync.gate()).subscribe();
    sync.onEvent(taskCompleted("a"));
    expect(started).toEqual([]);
    sync.onEvent(orionModified(["a"]));
    expect(started).toEqual([{ value: "b", pendingNow: 0 }]);
    keepShared.unsubscribe();
    sync.dispose();
  });

  it("a gate made while reacting to a registration opens when that reaction answers it", () => {
    // Liveness: the new gate starts closed (pending 1) and the same reaction answers the
    // modification; the gate must hear that the set is empty again and release.
    const sync = new OrionModificationSynchronizer();
    const ready = new Subject<string>();
    const released: [string, number][] = [];
    let armed = false;
    sync.state$.subscribe((s) => {
      if (!armed || s.pending.size !== 1) return;
      armed = false;
      ready.pipe(sync.gate()).subscribe((v) => released.push([v, sync.getPendingCount()]));
      ready.next("held");
      sync.onEvent(orionModified(["t1"]));
    });
    const keepShared = new Subject<string>().pipe(sync.gate()).subscribe();
    armed = true;
    sync.onEvent(taskCompleted("t1"));
    expect(sync.getPendingCount()).toBe(0);
    expect(released).toEqual([["held", 0]]);
    keepShared.unsubscribe();
    sync.dispose();
  });

  it("a gate made while reacting to an answer closes when that reaction registers again", () => {
    // Safety: the new gate starts open (pending 0) and the same reaction registers a new
    // modification; the gate must hear that and hold what comes next.
    const sync = new OrionModificationSynchronizer();
    const ready = new Subject<string>();
    const released: [string, number][] = [];
    let armed = false;
    sync.state$.subscribe((s) => {
      if (!armed || s.pending.size !== 0) return;
      armed = false;
      ready.pipe(sync.gate()).subscribe((v) => released.push([v, sync.getPendingCount()]));
      sync.onEvent(taskCompleted("t2"));
    });
    const keepShared = new Subject<string>().pipe(sync.gate()).subscribe();
    sync.onEvent(taskCompleted("t1"));
    armed = true;
    sync.onEvent(orionModified(["t1"]));
    ready.next("ready-task");
    expect(released).toEqual([]);
    sync.onEvent(orionModified(["t2"]));
    expect(released).toEqual([["ready-task", 0]]);
    keepShared.unsubscribe();
    sync.dispose();
  });

  it("connect() feeds an observable; its error is logged and ends only that connection", () => {
    const { lines, logger } = recordingLogger();
    const sync = new OrionModificationSynchronizer({ logger });
    const events = new Subject<OrionEvent>();
    sync.connect(events);
    events.next(taskCompleted("a"));
    sync.connect(throwError(() => new Error("broker down")));
    expect(lines.some(([level]) => level === "error")).toBe(true);
    events.next(orionModified(["a"]));
    expect(sync.getStatistics().completedModifications).toBe(1);
    sync.dispose();
  });

  it("dispose() leaves no timer, completes state$, and resolves pending waits false", async () => {
    const { scheduler } = virtualTime();
    const tracking = trackingScheduler(scheduler);
    const sync = new OrionModificationSynchronizer({ scheduler: tracking });
    for (let i = 0; i < 1000; i++) sync.onEvent(taskCompleted(`t${i}`));
    expect(tracking.live()).toBe(1);
    const wait = sync.waitForPendingModifications();
    let completed = false;
    sync.state$.subscribe({ complete: () => (completed = true) });
    sync.dispose();
    expect(await wait).toBe(false);
    expect(completed).toBe(true);
    expect(tracking.live()).toBe(0);
    sync.dispose(); // idempotent
  });

  it("keeps the orchestrator it was given", () => {
    const orchestrator = { name: "o" };
    const sync = new OrionModificationSynchronizer({ orchestrator });
    expect(sync.orchestrator).toBe(orchestrator);
    sync.dispose();
  });
});

describe("OrionModificationSynchronizer on bad input", () => {
  it("survives an event whose properties throw, counting it as invalid", () => {
    const sync = new OrionModificationSynchronizer();
    const hostile = {
      type: "TASK_COMPLETED",
      orionId: "o1",
      get taskId(): string {
        throw new Error("gotcha");
      },
    };
    sync.onEvent(hostile as never);
    sync.onEvent(taskCompleted("a"));
    expect(sync.getStatistics().invalidEvents).toBe(1);
    expect(sync.getPendingCount()).toBe(1);
    sync.dispose();
  });

  it("connect() after dispose() throws; dispose() ends every connection", () => {
    const sync = new OrionModificationSynchronizer();
    let torn = 0;
    const events = new Subject<OrionEvent>();
    const connection = sync.connect(events.pipe(finalize(() => torn++)));
    sync.dispose();
    expect(connection.closed).toBe(true);
    expect(torn).toBe(1);
    expect(() => sync.connect(events)).toThrow("after dispose");
  });

  it("an unsubscribed connection stops feeding the synchronizer", () => {
    const sync = new OrionModificationSynchronizer();
    const events = new Subject<OrionEvent>();
    sync.connect(events).unsubscribe();
    events.next(taskCompleted("a"));
    expect(sync.getPendingCount()).toBe(0);
    sync.dispose();
  });
});
