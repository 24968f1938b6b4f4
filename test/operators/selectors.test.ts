import { describe, it } from "vitest";
import { hasPending } from "../../operators/hasPending.js";
import { pendingCount } from "../../operators/pendingCount.js";
import { settled } from "../../operators/settled.js";
import { skipStaleStates } from "../../operators/skipStaleStates.js";
import { pendingModifications } from "../../operators/pendingModifications.js";
import type { PendingState } from "../../src/pending/PendingState.js";
import { initialPendingState, reducePending } from "../../src/pending/reducePending.js";
import { map } from "rxjs";
import { marbles } from "../marbles.js";
import { orionModified, taskCompleted, taskStarted } from "../../testing/index.js";

const ev = {
  a: taskCompleted("a"),
  b: taskCompleted("b"),
  m: orionModified(["a"]),
  n: orionModified(["b"]),
  s: taskStarted("z"),
  d: taskCompleted("a"),
  c: taskCompleted("c"),
  o: orionModified(["c"]),
};

describe("selectors", () => {
  it(
    "pendingCount emits the count when it changes, not on every state",
    marbles((m) => {
      // d is a duplicate: a new state, the same count.
      const events = m.hot("^-a-b-d-m-n-|", ev);
      m.expect(events.pipe(pendingModifications(), pendingCount())).toBeObservable(
        "0-1-2---1-0-|",
        {
          0: 0,
          1: 1,
          2: 2,
        },
      );
    }),
  );

  it(
    "hasPending emits when the set changes between empty and not",
    marbles((m) => {
      const events = m.hot("^-a-b-m-n-c-|", ev);
      m.expect(events.pipe(pendingModifications(), hasPending())).toBeObservable("f-t-----f-t-|", {
        f: false,
        t: true,
      });
    }),
  );

  it(
    "settled emits each time the set becomes empty, not for the initial empty state",
    marbles((m) => {
      const events = m.hot("^-a-b-m-n-c-o-s-|", ev);
      m.expect(
        events.pipe(
          pendingModifications(),
          settled(),
          map((s) => s.last.kind),
        ),
      ).toBeObservable("--------c---c---|", { c: "completed" });
    }),
  );

  it(
    "settled emits when the last pending modification times out",
    marbles((m) => {
      const events = m.hot("^-a 200ms |", ev);
      m.expect(
        events.pipe(
          pendingModifications({ modificationTimeout: 100 }),
          settled(),
          map((s) => s.last.kind),
        ),
      ).toBeObservable("-- 100ms t 100ms |", { t: "timed-out" });
    }),
  );

  it(
    "skipStaleStates drops states older than one already seen, per subscription",
    marbles((m) => {
      const v = (version: number) => ({ version }) as PendingState;
      const states = m.cold("-1-3-2-4-|", { 1: v(1), 2: v(2), 3: v(3), 4: v(4) });
      const fresh = states.pipe(
        skipStaleStates(),
        map((s) => s.version),
      );
      m.expect(fresh).toBeObservable("-1-3---4-|", { 1: 1, 3: 3, 4: 4 });
      m.expect(fresh).toBeObservable("-1-3---4-|", { 1: 1, 3: 3, 4: 4 });
    }),
  );

  it(
    "selectors ignore stale states too",
    marbles((m) => {
      const initial = initialPendingState(1000, 0);
      const registered = reducePending(initial, { kind: "event", event: taskCompleted("a") }, 0);
      // The registered state, then the stale initial one.
      const replayed = m.cold("-n-o-|", { n: registered, o: initial });
      m.expect(replayed.pipe(pendingCount())).toBeObservable("-1---|", { 1: 1 });
      m.expect(replayed.pipe(hasPending())).toBeObservable("-t---|", { t: true });
      m.expect(replayed.pipe(settled())).toBeObservable("-----|");
    }),
  );
});
