import { describe, it } from "vitest";
import { hasPending } from "../../operators/hasPending.js";
import { pendingModifications } from "../../operators/pendingModifications.js";
import { marbles } from "../marbles.js";
import { ev, followsTheStateStream, states } from "./support/selectorStates.js";

const flags = { f: false, t: true };

describe("hasPending", () => {
  it(
    "hasPending emits when the set changes between empty and not",
    marbles((m) => {
      const events = m.hot("  ^-a-b-m-n-c-|", ev);
      const subs = "          ^-----------!";
      const expected = "      f-t-----f-t-|";
      m.expect(events.pipe(pendingModifications(), hasPending())).toBeObservable(expected, flags);
      m.expect(events).toHaveSubscriptions(subs);
    }),
  );

  it(
    "emits true first when the first state already has something pending",
    marbles((m) => {
      const source = m.cold(" p-q-r-|", states());
      const subs = "          ^-----!";
      const expected = "      t---f-|";
      m.expect(source.pipe(hasPending())).toBeObservable(expected, flags);
      m.expect(source).toHaveSubscriptions(subs);
    }),
  );

  // prettier-ignore
  followsTheStateStream(hasPending(), {
    error: {
      source:   "o-p-#",
      subs:     "^---!",
      expected: "f-t-#",
      sourceValues: states(), expectedValues: flags,
    },
    unsubscribe: {
      source:   "o-p-q-r-|",
      unsub:    "^----!",
      subs:     "^----!",
      expected: "f-t---",
      sourceValues: states(), expectedValues: flags,
    },
  });
});
