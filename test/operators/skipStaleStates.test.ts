import { describe, it } from "vitest";
import { map } from "rxjs";
import { hasPending } from "../../operators/hasPending.js";
import { pendingCount } from "../../operators/pendingCount.js";
import { settled } from "../../operators/settled.js";
import { skipStaleStates } from "../../operators/skipStaleStates.js";
import type { PendingState } from "../../src/pending/PendingState.js";
import { initialPendingState, reducePending } from "../../src/pending/reducePending.js";
import { marbles } from "../marbles.js";
import { followsTheStateStream } from "./support/selectorStates.js";
import { taskCompleted } from "../../testing/index.js";

/** A stand-in state: `skipStaleStates` reads only the version. */
const v = (version: number) => ({ version }) as PendingState;

describe("skipStaleStates", () => {
  it(
    "skipStaleStates drops states older than one already seen, per subscription",
    marbles((m) => {
      const states = m.cold(" -1-3-2-4-|", { 1: v(1), 2: v(2), 3: v(3), 4: v(4) });
      const subs = "          ^--------!";
      const expected = "      -1-3---4-|";
      const fresh = states.pipe(
        skipStaleStates(),
        map((s) => s.version),
      );
      m.expect(fresh).toBeObservable(expected, { 1: 1, 3: 3, 4: 4 });
      m.expect(fresh).toBeObservable(expected, { 1: 1, 3: 3, 4: 4 });
      m.expect(states).toHaveSubscriptions([subs, subs]);
    }),
  );

  it(
    "drops a state with the same version as the last one it passed",
    marbles((m) => {
      // A housekeeping state keeps its version: it is not news.
      const first = v(1);
      const again = v(1);
      const source = m.cold(" a-b-c-|", { a: first, b: again, c: v(2) });
      const subs = "          ^-----!";
      const expected = "      a---c-|";
      m.expect(source.pipe(skipStaleStates())).toBeObservable(expected, { a: first, c: v(2) });
      m.expect(source).toHaveSubscriptions(subs);
    }),
  );

  followsTheStateStream(skipStaleStates(), {
    error: {
      source: "-1-#",
      sourceValues: { 1: v(1) },
      subs: "^--!",
      expected: "-1-#",
      expectedValues: { 1: v(1) },
    },
    unsubscribe: {
      source: "-1-2-3-|",
      sourceValues: { 1: v(1), 2: v(2), 3: v(3) },
      subs: "^---!",
      expected: "-1-2-",
      expectedValues: {
        1: v(1),
        2: v(2),
      },
      unsub: "^---!",
    },
  });
});

describe("the selectors built on skipStaleStates", () => {
  it(
    "selectors ignore stale states too",
    marbles((m) => {
      const initial = initialPendingState(1000, 0);
      const registered = reducePending(initial, { kind: "event", event: taskCompleted("a") }, 0);
      // The registered state, then the stale initial one.
      const replayed = m.cold(" -n-o-|", { n: registered, o: initial });
      const subs = "            ^----!";
      const count = "           -1---|";
      const pending = "         -t---|";
      const settles = "         -----|";
      m.expect(replayed.pipe(pendingCount())).toBeObservable(count, { 1: 1 });
      m.expect(replayed.pipe(hasPending())).toBeObservable(pending, { t: true });
      m.expect(replayed.pipe(settled())).toBeObservable(settles);
      m.expect(replayed).toHaveSubscriptions([subs, subs, subs]);
    }),
  );
});
