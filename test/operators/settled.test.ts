import { describe, it } from "vitest";
import { map } from "rxjs";
import { pendingModifications } from "../../operators/pendingModifications.js";
import { settled } from "../../operators/settled.js";
import type { PendingState } from "../../src/pending/PendingState.js";
import { initialPendingState, reducePending } from "../../src/pending/reducePending.js";
import { marbles } from "../marbles.js";
import { orionModified, taskCompleted, taskStarted } from "../../testing/index.js";

const ev = {
  a: taskCompleted("a"),
  b: taskCompleted("b"),
  m: orionModified(["a"]),
  n: orionModified(["b"]),
  s: taskStarted("z"),
  c: taskCompleted("c"),
  o: orionModified(["c"]),
};

/** States by letter: `o` nothing pending, `p` one, `q` two, `r` none again; versions increase. */
function states(): Record<"o" | "p" | "q" | "r", PendingState> {
  const o = initialPendingState(1000, 0);
  const p = reducePending(o, { kind: "event", event: taskCompleted("a") }, 0);
  const q = reducePending(p, { kind: "event", event: taskCompleted("b") }, 0);
  const r = reducePending(q, { kind: "event", event: orionModified(["a", "b"]) }, 0);
  return { o, p, q, r };
}

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

  it(
    "completes without a value when the state stream is empty",
    marbles((m) => {
      const source = m.cold(" |");
      const subs = "          (^!)";
      const expected = "      |";
      m.expect(source.pipe(settled())).toBeObservable(expected);
      m.expect(source).toHaveSubscriptions(subs);
    }),
  );

  it(
    "propagates an error from the state stream",
    marbles((m) => {
      const { o, p, r } = states();
      const source = m.cold(" o-p-r-#", { o, p, r });
      const subs = "          ^-----!";
      const expected = "      ----r-#";
      m.expect(source.pipe(settled())).toBeObservable(expected, { r });
      m.expect(source).toHaveSubscriptions(subs);
    }),
  );

  it(
    "unsubscribes from the state stream when unsubscribed, before the set empties",
    marbles((m) => {
      const { o, p, r } = states();
      const source = m.cold(" o-p-r-|", { o, p, r });
      const unsub = "         ^---!";
      const subs = "          ^---!";
      const expected = "      -----";
      m.expect(source.pipe(settled()), unsub).toBeObservable(expected);
      m.expect(source).toHaveSubscriptions(subs);
    }),
  );
});
