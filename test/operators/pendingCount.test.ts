import { describe, it } from "vitest";
import { pendingCount } from "../../operators/pendingCount.js";
import { pendingModifications } from "../../operators/pendingModifications.js";
import type { PendingState } from "../../src/pending/PendingState.js";
import { initialPendingState, reducePending } from "../../src/pending/reducePending.js";
import { marbles } from "../marbles.js";
import { orionModified, taskCompleted } from "../../testing/index.js";

const ev = {
  a: taskCompleted("a"),
  b: taskCompleted("b"),
  m: orionModified(["a"]),
  n: orionModified(["b"]),
  d: taskCompleted("a"),
};

/** States by letter: `o` nothing pending, `p` one, `q` two, `r` none again; versions increase. */
function states(): Record<"o" | "p" | "q" | "r", PendingState> {
  const o = initialPendingState(1000, 0);
  const p = reducePending(o, { kind: "event", event: taskCompleted("a") }, 0);
  const q = reducePending(p, { kind: "event", event: taskCompleted("b") }, 0);
  const r = reducePending(q, { kind: "event", event: orionModified(["a", "b"]) }, 0);
  return { o, p, q, r };
}

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

  it(
    "completes without a value when the state stream is empty",
    marbles((m) => {
      const source = m.cold(" |");
      const subs = "          (^!)";
      const expected = "      |";
      m.expect(source.pipe(pendingCount())).toBeObservable(expected);
      m.expect(source).toHaveSubscriptions(subs);
    }),
  );

  it(
    "propagates an error from the state stream",
    marbles((m) => {
      const source = m.cold(" o-p-#", states());
      const subs = "          ^---!";
      const expected = "      0-1-#";
      m.expect(source.pipe(pendingCount())).toBeObservable(expected, counts);
      m.expect(source).toHaveSubscriptions(subs);
    }),
  );

  it(
    "unsubscribes from the state stream when unsubscribed",
    marbles((m) => {
      const source = m.cold(" o-p-q-r-|", states());
      const unsub = "         ^----!";
      const subs = "          ^----!";
      const expected = "      0-1-2-";
      m.expect(source.pipe(pendingCount()), unsub).toBeObservable(expected, counts);
      m.expect(source).toHaveSubscriptions(subs);
    }),
  );
});
