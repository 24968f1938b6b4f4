/** `whenSettled`'s edges: at once, a timeout, an abort, a throwing act, an ended stream. */
import { BehaviorSubject } from "rxjs";
import { describe, expect, it } from "vitest";
import { SettleTimeoutError, whenSettled } from "../../operators/whenSettled.js";
import type { PendingState } from "../../src/pending/PendingState.js";
import { initialPendingState, reducePending } from "../../src/pending/reducePending.js";
import { taskCompleted, virtualTime } from "../../testing/index.js";

const settled = initialPendingState(1000, 0);
const pending = reducePending(settled, { kind: "event", event: taskCompleted("a", "o") }, 0);

describe("whenSettled", () => {
  it("acts at once, synchronously, on a settled orion", async () => {
    let acted = false;
    const done = whenSettled(new BehaviorSubject<PendingState>(settled), "o", () => (acted = true));
    expect(acted).toBe(true);
    expect(await done).toBe(true);
  });

  it("rejects with SettleTimeoutError after its timeout, and never acts", async () => {
    const { scheduler, advance } = virtualTime();
    let acted = false;
    const done = whenSettled(
      new BehaviorSubject<PendingState>(pending),
      "o",
      () => (acted = true),
      { timeout: 100, scheduler },
    );
    advance(100);
    await expect(done).rejects.toBeInstanceOf(SettleTimeoutError);
    expect(acted).toBe(false);
  });

  it("rejects with the signal's reason when aborted", async () => {
    const controller = new AbortController();
    const done = whenSettled(new BehaviorSubject<PendingState>(pending), "o", () => 1, {
      signal: controller.signal,
    });
    controller.abort(new Error("stop"));
    await expect(done).rejects.toThrow("stop");
  });

  it("rejects with what act throws", async () => {
    const done = whenSettled(new BehaviorSubject<PendingState>(settled), "o", () => {
      throw new Error("act failed");
    });
    await expect(done).rejects.toThrow("act failed");
  });

  it("rejects when the state stream completes before the orion settles", async () => {
    const states = new BehaviorSubject<PendingState>(pending);
    const done = whenSettled(states, "o", () => 1);
    states.complete();
    await expect(done).rejects.toThrow("completed before the orion settled");
  });
});
