import { describe, it } from "vitest";
import { shareState } from "../../operators/shareState.js";
import type { PendingState } from "../../src/pending/PendingState.js";
import { cases, marbles } from "../marbles.js";

/** Stand-in states: `shareState` only passes them on. */
const s = { a: { version: 1 }, b: { version: 2 }, c: { version: 3 } } as unknown as Record<
  "a" | "b" | "c",
  PendingState
>;

describe("shareState", () => {
  it(
    "gives a later subscriber the current state at once, then the states that follow",
    marbles((m) => {
      const states = m.hot("  -a--b--c--|", s);
      const subs = "          ^---------!";
      const first = "         -a--b--c--|";
      const late = "          ---^-------";
      const lateGets = "      ---ab--c--|";
      const shared = states.pipe(shareState());
      m.expect(shared).toBeObservable(first, s);
      m.expect(shared, late).toBeObservable(lateGets, s);
      m.expect(states).toHaveSubscriptions(subs);
    }),
  );

  it(
    "keeps the fold subscribed when every subscriber leaves, and replays to the next",
    marbles((m) => {
      const states = m.hot("  -a--b------c--|", s);
      const subs = "          ^-------------!";
      const leaves = "        ^-----!--------";
      const comesBack = "     ---------^-----";
      const before = "        -a--b--";
      const after = "         ---------b-c--|";
      const shared = states.pipe(shareState());
      m.expect(shared, leaves).toBeObservable(before, s);
      m.expect(shared, comesBack).toBeObservable(after, s);
      m.expect(states).toHaveSubscriptions(subs);
    }),
  );

  // After the states complete, or error, a later subscriber subscribes again.
  cases(
    (m, c) => {
      const states = m.cold(c.states, s);
      const shared = states.pipe(shareState());
      m.expect(shared).toBeObservable(c.firstGets, s);
      m.expect(shared, c.second).toBeObservable(c.secondGets, s);
      m.expect(states).toHaveSubscriptions(c.subs);
    },
    {
      // prettier-ignore
      "starts afresh after the states complete: a later subscriber subscribes again": {
        states:     "-a-|",
        subs:      ["^--!----",
                    "-----^--!"],
        second:     "-----^---",
        firstGets:  "-a-|",
        secondGets: "------a-|",
      },
      // prettier-ignore
      "passes an error on and starts afresh for a later subscriber": {
        states:     "-a-#",
        subs:      ["^--!----",
                    "-----^--!"],
        second:     "-----^---",
        firstGets:  "-a-#",
        secondGets: "------a-#",
      },
    },
  );
});
