import { describe, it } from "vitest";
import { hasPending } from "../../operators/hasPending.js";
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
  c: taskCompleted("c"),
};

/** States by letter: `o` nothing pending, `p` one, `q` two, `r` none again; versions increase. */
function states(): Record<"o" | "p" | "q" | "r", PendingState> {
  const o = initialPendingState(1000, 0);
  const p = reducePending(o, { kind: "event", event: taskCompleted("a") }, 0);
  const q = reducePending(p, { kind: "event", event: taskCompleted("b") }, 0);
  const r = reducePending(q, { kind: "event", event: orionModified(["a", "b"]) }, 0);
  return { o, p, q, r };
}

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

  it(
    "completes without a value when the state stream is empty",
    marbles((m) => {
      const source = m.cold(" |");
      const subs = "          (^!)";
      const expected = "      |";
      m.expect(source.pipe(hasPending())).toBeObservable(expected);
      m.expect(source).toHaveSubscriptions(subs);
    }),
  );

  it(
    "propagates an error from the state stream",
    marbles((m) => {
      const source = m.cold(" o-p-#", states());
      const subs = "          ^---!";
      const expected = "      f-t-#";
      m.expect(source.pipe(hasPending())).toBeObservable(expected, flags);
      m.expect(source).toHaveSubscriptions(subs);
    }),
  );

  it(
    "unsubscribes from the state stream when unsubscribed",
    marbles((m) => {
      const source = m.cold(" o-p-q-r-|", states());
      const unsub = "         ^----!";
      const subs = "          ^----!";
      const expected = "      f-t---";
      m.expect(source.pipe(hasPending()), unsub).toBeObservable(expected, flags);
      m.expect(source).toHaveSubscriptions(subs);
    }),
  );
});
