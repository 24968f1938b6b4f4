import { map } from "rxjs";
import { describe, expect, it } from "vitest";
import { pendingModifications } from "../../operators/pendingModifications.js";
import { initialPendingState, reducePending } from "../../src/pending/reducePending.js";
import { marbles } from "../marbles.js";
import {
  eventValues,
  orionModified,
  pendingIds,
  pendingSummary,
  taskCompleted,
} from "../../testing/index.js";

describe("pendingIds and pendingSummary", () => {
  it("write the pending ids sorted, prefixing those of other orions", () => {
    let state = initialPendingState(1000, 0);
    expect(pendingIds(state)).toBe("");
    expect(pendingSummary(state)).toBe("/initial");
    for (const event of [taskCompleted("b"), taskCompleted("a", "o2"), taskCompleted("a")]) {
      state = reducePending(state, { kind: "event", event }, 0);
    }
    expect(pendingIds(state)).toBe("a,b,o2:a");
    expect(pendingSummary(state)).toBe("a,b,o2:a/registered");
    state = reducePending(state, { kind: "event", event: orionModified(["a", "b"]) }, 0);
    expect(pendingSummary(state)).toBe("o2:a/completed");
  });

  it(
    "keep expected marbles short (the example of pendingSummary's doc)",
    marbles((m) => {
      const events = m.hot("--c", eventValues({ c: taskCompleted("a") }));
      const subs = "        ^";
      const expected = "    i-r 49ms t";
      const summaries = events.pipe(
        pendingModifications({ modificationTimeout: 50, scheduler: m.scheduler }),
        map(pendingSummary),
      );
      m.expect(summaries).toBeObservable(expected, {
        i: "/initial",
        r: "a/registered",
        t: "/timed-out",
      });
      m.expect(events).toHaveSubscriptions(subs);
    }),
  );
});
