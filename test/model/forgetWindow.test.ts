/**
 * An ended modification is remembered for one modification timeout (the one in force when
 * it ended), then forgotten, even when an older record, remembered for longer because
 * the timeout was higher then, is still remembered. Found by the model-based tests: the
 * reducer forgot records in the order they ended, so a shorter window waited for a longer
 * one before it and a late answer counted as `late` instead of anticipated.
 */
import { describe, expect, it } from "vitest";
import { initialPendingState, reducePending } from "../../src/pending/reducePending.js";
import type { PendingState } from "../../src/pending/PendingState.js";

const completed = (taskId: string) => ({
  kind: "event" as const,
  event: { type: "TASK_COMPLETED", orionId: "o", taskId },
});
const expire = (taskId: string) => ({
  kind: "expire" as const,
  due: [{ kind: "pending" as const, orionId: "o", taskId }],
});

/** `a` ends at 160 (remembered until 320), then `b` at 200 with a 40 ms timeout (until 240). */
function twoWindows(): PendingState {
  let s = initialPendingState(160, 0);
  s = reducePending(s, completed("a"), 0);
  s = reducePending(s, expire("a"), 160);
  s = reducePending(s, { kind: "set-timeout", modificationTimeout: 40 }, 160);
  s = reducePending(s, completed("b"), 160);
  return reducePending(s, expire("b"), 200);
}

describe("the window in which an ended modification is remembered", () => {
  it("ends on time for an answer, whatever ended before it", () => {
    const s = reducePending(
      twoWindows(),
      { kind: "event", event: { type: "ORION_MODIFIED", orionId: "o", onTaskIds: ["b"] } },
      240,
    );
    expect(s.stats).toMatchObject({ lateModifications: 0, unmatchedModifications: 1 });
  });

  it("ends on time for a redelivered completion, which registers again", () => {
    const s = reducePending(twoWindows(), completed("b"), 240);
    expect(s.stats).toMatchObject({ duplicateEvents: 0, totalModifications: 3 });
    expect(s.pending.size).toBe(1);
  });

  it("still holds one millisecond before its end", () => {
    const s = reducePending(twoWindows(), completed("b"), 239);
    expect(s.stats.duplicateEvents).toBe(1);
    expect(s.pending.size).toBe(0);
  });
});
