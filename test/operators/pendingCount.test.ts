import { describe, it } from "vitest";
import { pendingCount } from "../../operators/pendingCount.js";
import { pendingModifications } from "../../operators/pendingModifications.js";
import { marbles } from "../marbles.js";
import { ev, followsTheStateStream, states } from "./support/selectorStates.js";

const counts = { 0: 0, 1: 1, 2: 2 };

describe("pendingCount", () => {
  it(
    "pendingCount emits the count when it changes, not on every state",
    marbles((m) => {
      // d is a duplicate: a new state, the same count.
      const events = m.hot("  ^-a-b-d-m-n-|", ev);
      const subs = "          ^-----------!";
      const expected = "      0-1-2---1-0-|";
      m.expect(events.pipe(pendingModifications(), pendingCount())).toBeObservable(
        expected,
        counts,
      );
      m.expect(events).toHaveSubscriptions(subs);
    }),
  );

  // prettier-ignore
  followsTheStateStream(pendingCount(), {
    error: {
      source:   "o-p-#",
      subs:     "^---!",
      expected: "0-1-#",
      sourceValues: states(), expectedValues: counts,
    },
    unsubscribe: {
      source:   "o-p-q-r-|",
      unsub:    "^----!",
      subs:     "^----!",
      expected: "0-1-2-",
      sourceValues: states(), expectedValues: counts,
    },
  });
});
