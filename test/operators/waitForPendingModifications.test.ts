import { EMPTY, of, shareReplay, Subject } from "rxjs";
import { describe, expect, it } from "vitest";
import type { OrionEvent } from "../../src/events.js";
import { pendingModifications } from "../../operators/pendingModifications.js";
import { waitForPendingModifications } from "../../operators/waitForPendingModifications.js";
import { initialPendingState } from "../../src/pending/reducePending.js";
import type { PendingCommand } from "../../src/pending/reducePending.js";
import { orionModified, taskCompleted, virtualTime } from "../../testing/index.js";
import { peek } from "../support/virtualTime.js";

function virtualBus(modificationTimeout = 600_000) {
  const { scheduler } = virtualTime();
  const bus = new Subject<OrionEvent>();
  const state$ = bus.pipe(
    pendingModifications({ scheduler, modificationTimeout }),
    shareReplay({ bufferSize: 1, refCount: true }),
  );
  const keepAlive = state$.subscribe();
  return { scheduler, bus, state$, dispose: () => keepAlive.unsubscribe() };
}

describe("waitForPendingModifications", () => {
  it("resolves true at once when nothing is pending", async () => {
    const { state$, dispose } = virtualBus();
    await expect(waitForPendingModifications(state$)).resolves.toBe(true);
    dispose();
  });

  it("resolves true when the agent answers, including modifications registered during the wait", async () => {
    const { bus, state$, dispose } = virtualBus();
    bus.next(taskCompleted("a"));
    const wait = waitForPendingModifications(state$);
    bus.next(taskCompleted("b"));
    bus.next(orionModified(["a"]));
    expect(await peek(wait)).toBe("unsettled");
    bus.next(orionModified(["b"]));
    expect(await peek(wait)).toBe(true);
    dispose();
  });

  it("resolves false on its own timeout, in virtual time, without changing the pending set", async () => {
    const { scheduler, bus, state$, dispose } = virtualBus();
    bus.next(taskCompleted("a"));
    const wait = waitForPendingModifications(state$, { timeout: 5000, scheduler });
    scheduler.maxFrames = 4999;
    scheduler.flush();
    expect(await peek(wait)).toBe("unsettled");
    scheduler.maxFrames = 5000;
    scheduler.flush();
    expect(await peek(wait)).toBe(false);
    let pending = -1;
    state$.subscribe((s) => (pending = s.pending.size)).unsubscribe();
    expect(pending).toBe(1);
    dispose();
  });

  it("resolves true when the modification times out before the wait does", async () => {
    const { scheduler, bus, state$, dispose } = virtualBus(1000);
    bus.next(taskCompleted("a"));
    const wait = waitForPendingModifications(state$, { timeout: 5000, scheduler });
    scheduler.flush();
    expect(await wait).toBe(true);
    dispose();
  });

  it("resolves false when the state stream completes with something pending", async () => {
    const { bus, state$ } = virtualBus();
    bus.next(taskCompleted("a"));
    const wait = waitForPendingModifications(state$);
    bus.complete();
    expect(await wait).toBe(false);
  });

  it("rejects with the signal's reason when aborted, and leaves the pending set alone", async () => {
    const { bus, state$, dispose } = virtualBus();
    bus.next(taskCompleted("a"));
    const controller = new AbortController();
    const wait = waitForPendingModifications(state$, { signal: controller.signal });
    controller.abort(new Error("stop"));
    await expect(wait).rejects.toThrow("stop");
    bus.next(orionModified(["a"]));
    await expect(waitForPendingModifications(state$)).resolves.toBe(true);
    dispose();
  });

  it("rejects at once for an already aborted signal", async () => {
    const signal = AbortSignal.abort(new Error("already"));
    await expect(
      waitForPendingModifications(of(initialPendingState(1, 0)), { signal }),
    ).rejects.toThrow("already");
  });

  it("rejects a bad timeout at call time", () => {
    for (const bad of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => waitForPendingModifications(EMPTY, { timeout: bad })).toThrow(RangeError);
    }
  });
});

describe("waitForPendingModifications and clears", () => {
  it("resolves false when a clear empties the set during the wait, true for a later wait", async () => {
    const { scheduler } = virtualTime();
    const bus = new Subject<OrionEvent>();
    const commands = new Subject<PendingCommand>();
    const state$ = bus.pipe(
      pendingModifications({ scheduler, commands }),
      shareReplay({ bufferSize: 1, refCount: true }),
    );
    const keepAlive = state$.subscribe();
    bus.next(taskCompleted("a"));
    const wait = waitForPendingModifications(state$);
    commands.next({ kind: "clear" });
    expect(await wait).toBe(false);
    // The current state was made by that clear, long before this wait: nothing is pending.
    expect(await waitForPendingModifications(state$)).toBe(true);
    keepAlive.unsubscribe();
  });
});
