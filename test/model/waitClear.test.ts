/**
 * A wait that a clear ends resolves `false` but must not clear anything itself: only a wait
 * whose timeout passes clears what is still pending. Found by the model-based tests (a gate
 * subscriber that reacts to the clear's release by registering a new modification).
 */
import { filter, take } from "rxjs";
import { describe, expect, it } from "vitest";
import { OrionModificationSynchronizer } from "../../src/synchronizer.js";
import { virtualTime } from "../support/virtualTime.js";

describe("a wait ended by a clear", () => {
  it("leaves alone a modification registered in reaction to the clear", async () => {
    const { scheduler } = virtualTime();
    const sync = new OrionModificationSynchronizer({ scheduler, modificationTimeout: 100 });
    sync.onEvent({ type: "TASK_COMPLETED", orionId: "o", taskId: "a" });
    const wait = sync.waitForPendingModifications(1000);
    // Subscribed after the wait: when the clear empties the set, start (and at once end)
    // the next task, as an orchestrator released by a gate would.
    sync.state$
      .pipe(
        filter((s) => s.last.kind === "cleared"),
        take(1),
      )
      .subscribe(() => sync.onEvent({ type: "TASK_COMPLETED", orionId: "o", taskId: "b" }));
    sync.clearPendingModifications();
    expect(await wait).toBe(false);
    expect(sync.getPendingTaskIds()).toEqual(["b"]);
    expect(sync.getStatistics()).toMatchObject({
      clearedModifications: 1,
      timeoutModifications: 0,
    });
    sync.dispose();
  });

  it("still clears what is pending when its timeout passes", async () => {
    const { scheduler, advance } = virtualTime();
    const sync = new OrionModificationSynchronizer({ scheduler, modificationTimeout: 100 });
    sync.onEvent({ type: "TASK_COMPLETED", orionId: "o", taskId: "a" });
    const wait = sync.waitForPendingModifications(50);
    advance(50);
    expect(await wait).toBe(false);
    expect(sync.getPendingCount()).toBe(0);
    expect(sync.getStatistics().timeoutModifications).toBe(1);
    sync.dispose();
  });
});
