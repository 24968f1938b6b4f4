import { describe, it } from "vitest";
import { map } from "rxjs";
import { pendingModifications } from "../../operators/pendingModifications.js";
import { settled } from "../../operators/settled.js";
import { marbles } from "../marbles.js";
import { ev, followsTheStateStream, states } from "./support/selectorStates.js";

describe("settled", () => {
  it(
    "settled emits each time the set becomes empty, not for the initial empty state",
    marbles((m) => {
      const events = m.hot("  ^-a-b-m-n-c-o-s-|", ev);
      const subs = "          ^---------------!";
      const expected = "      --------c---c---|";
      m.expect(
        events.pipe(
          pendingModifications(),
          settled(),
          map((s) => s.last.kind),
        ),
      ).toBeObservable(expected, { c: "completed" });
      m.expect(events).toHaveSubscriptions(subs);
    }),
  );

  it(
    "settled emits when the last pending modification times out",
    marbles((m) => {
      const events = m.hot("  ^-a 99ms - 100ms |", ev);
      const subs = "          ^-- 99ms - 100ms !";
      const expected = "      --- 99ms t 100ms |";
      m.expect(
        events.pipe(
          pendingModifications({ modificationTimeout: 100 }),
          settled(),
          map((s) => s.last.kind),
        ),
      ).toBeObservable(expected, { t: "timed-out" });
      m.expect(events).toHaveSubscriptions(subs);
    }),
  );

  it(
    "emits the state that emptied the set, even when the first state is not empty",
    marbles((m) => {
      const { p, q, r } = states();
      const source = m.cold(" p-q-r-|", { p, q, r });
      const subs = "          ^-----!";
      const expected = "      ----r-|";
      m.expect(source.pipe(settled())).toBeObservable(expected, { r });
      m.expect(source).toHaveSubscriptions(subs);
    }),
  );

  const { o, p, r } = states();
  // prettier-ignore
  followsTheStateStream(settled(), {
    error: {
      source:   "o-p-r-#",
      subs:     "^-----!",
      expected: "----r-#",
      sourceValues: { o, p, r }, expectedValues: { r },
    },
    unsubscribe: {
      source:   "o-p-r-|",
      unsub:    "^---!",
      subs:     "^---!",
      expected: "-----",
      sourceValues: { o, p, r },
    },
  }, "unsubscribes from the state stream when unsubscribed, before the set empties");
});
