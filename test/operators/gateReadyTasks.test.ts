import { concat, map, NEVER, of, Subject, type Observable } from "rxjs";
import { describe, expect, it } from "vitest";
import type { OrionEvent } from "../../src/events.js";
import {
  gateReadyTasks,
  GateOverflowError,
  GateStateEndedError,
} from "../../operators/gateReadyTasks.js";
import { pendingModifications } from "../../operators/pendingModifications.js";
import type { PendingState } from "../../src/pending/PendingState.js";
import { initialPendingState, reducePending } from "../../src/pending/reducePending.js";
import { marbles } from "../marbles.js";
import { orionModified, taskCompleted } from "../../testing/index.js";

/** States by letter: `o` nothing pending, `p`/`q` something pending; versions increase. */
function states(): Record<"o" | "p" | "q" | "r", PendingState> {
  const o = initialPendingState(1000, 0);
  const p = reducePending(o, { kind: "event", event: taskCompleted("a") }, 0);
  const q = reducePending(p, { kind: "event", event: taskCompleted("b") }, 0);
  const r = reducePending(q, { kind: "event", event: orionModified(["a", "b"]) }, 0);
  return { o, p, q, r };
}

describe("gateReadyTasks", () => {
  it(
    "passes values through unchanged while nothing is pending",
    marbles((m) => {
      const state = m.hot("      o-------", states());
      const source = m.hot("     ^-1-2-3-|");
      const stateSubs = "        ^-------!";
      const sourceSubs = "       ^-------!";
      const expected = "         --1-2-3-|";
      m.expect(source.pipe(gateReadyTasks(state))).toBeObservable(expected);
      m.expect(state).toHaveSubscriptions(stateSubs);
      m.expect(source).toHaveSubscriptions(sourceSubs);
    }),
  );

  it(
    "holds values while something is pending and releases only the latest when it empties",
    marbles((m) => {
      const state = m.hot("      o--p-q----r---", states());
      const source = m.hot("     ^-1--2-3-4---5-|");
      const sourceSubs = "       ^--------------!";
      const expected = "         --1-------4--5-|";
      m.expect(source.pipe(gateReadyTasks(state))).toBeObservable(expected);
      m.expect(source).toHaveSubscriptions(sourceSubs);
    }),
  );

  it(
    "releases every held value, in order, in the same frame with release: 'all'",
    marbles((m) => {
      const state = m.hot("      o--p------r---", states());
      const source = m.hot("     ^-1--2-3-4-------5-|");
      const sourceSubs = "       ^------------------!";
      const expected = "         --1-------(234)--5-|";
      m.expect(source.pipe(gateReadyTasks(state, { release: "all" }))).toBeObservable(expected);
      m.expect(source).toHaveSubscriptions(sourceSubs);
    }),
  );

  it(
    "is closed until the first state arrives",
    marbles((m) => {
      const state = m.hot("      ----o---", states());
      const source = m.hot("     ^-1-----|");
      const sourceSubs = "       ^-------!";
      const expected = "         ----1---|";
      m.expect(source.pipe(gateReadyTasks(state))).toBeObservable(expected);
      m.expect(source).toHaveSubscriptions(sourceSubs);
    }),
  );

  it(
    "subscribes to the state before the source, so a synchronous initial state is known first",
    marbles((m) => {
      const { o } = states();
      const state = concat(of(o), NEVER);
      const expected = "(12|)";
      m.expect(of(1, 2).pipe(gateReadyTasks(state))).toBeObservable(expected, { 1: 1, 2: 2 });
    }),
  );

  it(
    "ignores a stale state delivered after a newer one",
    marbles((m) => {
      // p then the older o: the gate must stay closed.
      const state = m.hot("      p-o-----r", states());
      const source = m.hot("     ^---1---", { 1: 1 });
      const sourceSubs = "       ^";
      const expected = "         --------1";
      m.expect(source.pipe(gateReadyTasks(state))).toBeObservable(expected, { 1: 1 });
      m.expect(source).toHaveSubscriptions(sourceSubs);
    }),
  );

  it(
    "holds a ready emission in the same frame as the completion that caused it",
    marbles((m) => {
      // The bus is created first, so in frame 2 the completion reaches the fold first.
      const bus = m.hot<OrionEvent>("^-c----m-", {
        c: taskCompleted("a"),
        m: orionModified(["a"]),
      });
      const ready = m.hot("          ^-r------", { r: "b" });
      const busSubs = "              ^";
      const readySubs = "            ^";
      const expected = "             -------r-";
      const state = bus.pipe(pendingModifications());
      m.expect(ready.pipe(gateReadyTasks(state))).toBeObservable(expected, { r: "b" });
      m.expect(bus).toHaveSubscriptions(busSubs);
      m.expect(ready).toHaveSubscriptions(readySubs);
    }),
  );

  it("holds a ready emission made synchronously after publishing the completion", () => {
    const bus = new Subject<OrionEvent>();
    const ready = new Subject<string>();
    const out: string[] = [];
    const state = bus.pipe(pendingModifications());
    const sub = ready.pipe(gateReadyTasks(state)).subscribe((v) => out.push(v));
    bus.next(taskCompleted("a"));
    ready.next("b-ready");
    expect(out).toEqual([]);
    bus.next(orionModified(["a"]));
    expect(out).toEqual(["b-ready"]);
    sub.unsubscribe();
  });

  it(
    "releases held values when the gate opens after the source completed, then completes",
    marbles((m) => {
      const state = m.hot("      o-p-----r-", states());
      const source = m.hot("     ^---1-|", { 1: 1 });
      const stateSubs = "        ^-------!";
      const sourceSubs = "       ^-----!";
      const expected = "         --------(1|)";
      m.expect(source.pipe(gateReadyTasks(state))).toBeObservable(expected, { 1: 1 });
      m.expect(state).toHaveSubscriptions([stateSubs]);
      m.expect(source).toHaveSubscriptions(sourceSubs);
    }),
  );

  it(
    "completes at once when the source completes with nothing held",
    marbles((m) => {
      const state = m.hot("      o-p-----", states());
      const source = m.hot("     ^---|");
      const stateSubs = "        ^---!";
      const sourceSubs = "       ^---!";
      const expected = "         ----|";
      m.expect(source.pipe(gateReadyTasks(state))).toBeObservable(expected);
      m.expect(state).toHaveSubscriptions([stateSubs]);
      m.expect(source).toHaveSubscriptions(sourceSubs);
    }),
  );

  it(
    "propagates a source error at once, even with values held",
    marbles((m) => {
      const state = m.hot("      o-p-----", states());
      const source = m.hot("     ^--1-#");
      const stateSubs = "        ^----!";
      const sourceSubs = "       ^----!";
      const expected = "         -----#";
      m.expect(source.pipe(gateReadyTasks(state))).toBeObservable(expected);
      m.expect(state).toHaveSubscriptions(stateSubs);
      m.expect(source).toHaveSubscriptions(sourceSubs);
    }),
  );

  it(
    "propagates a state error",
    marbles((m) => {
      const state = m.hot("      o--#", states());
      const source = m.hot("     ^-1--2-");
      const stateSubs = "        ^--!";
      const sourceSubs = "       ^--!";
      const expected = "         --1#";
      m.expect(source.pipe(gateReadyTasks(state))).toBeObservable(expected);
      m.expect(state).toHaveSubscriptions(stateSubs);
      m.expect(source).toHaveSubscriptions(sourceSubs);
    }),
  );

  it(
    "keeps passing values when the state stream completes while open",
    marbles((m) => {
      const state = m.hot("      o-|", states());
      const source = m.hot("     ^---1-|", { 1: 1 });
      const stateSubs = "        ^-!";
      const sourceSubs = "       ^-----!";
      const expected = "         ----1-|";
      m.expect(source.pipe(gateReadyTasks(state))).toBeObservable(expected, { 1: 1 });
      m.expect(state).toHaveSubscriptions(stateSubs);
      m.expect(source).toHaveSubscriptions(sourceSubs);
    }),
  );

  it(
    "errors with GateStateEndedError when the state stream completes while closed",
    marbles((m) => {
      const state = m.hot("      o-p-|", states());
      const source = m.hot("     ^--1---", { 1: 1 });
      const stateSubs = "        ^---!";
      const sourceSubs = "       ^---!";
      const expected = "         ----#";
      m.expect(source.pipe(gateReadyTasks(state))).toBeObservable(
        expected,
        {},
        new GateStateEndedError(1, 1),
      );
      m.expect(state).toHaveSubscriptions(stateSubs);
      m.expect(source).toHaveSubscriptions(sourceSubs);
    }),
  );

  it(
    "unsubscribes from both inputs when unsubscribed, dropping held values",
    marbles((m) => {
      const state = m.hot("      o-p-----r", states());
      const source = m.hot("     ^--1-----", { 1: 1 });
      const unsub = "            ^----!";
      const stateSubs = "        ^----!";
      const sourceSubs = "       ^----!";
      const expected = "         ------";
      m.expect(source.pipe(gateReadyTasks(state)), unsub).toBeObservable(expected, { 1: 1 });
      m.expect(state).toHaveSubscriptions([stateSubs]);
      m.expect(source).toHaveSubscriptions([sourceSubs]);
    }),
  );

  it(
    "errors with GateOverflowError past maxHeld with overflow: 'error'",
    marbles((m) => {
      const state = m.hot("      p--------", states());
      const source = m.hot("     ^-1-2-3--", { 1: 1, 2: 2, 3: 3 });
      const stateSubs = "        ^-----!";
      const sourceSubs = "       ^-----!";
      const expected = "         ------#";
      m.expect(source.pipe(gateReadyTasks(state, { release: "all", maxHeld: 2 }))).toBeObservable(
        expected,
        {},
        new GateOverflowError(2),
      );
      m.expect(state).toHaveSubscriptions(stateSubs);
      m.expect(source).toHaveSubscriptions(sourceSubs);
    }),
  );

  it(
    "drops the oldest held value past maxHeld with overflow: 'drop-oldest', reporting it",
    marbles((m) => {
      const dropped: number[] = [];
      const state = m.hot("      p-------r-", states());
      const source = m.hot("     ^-1-2-3---", { 1: 1, 2: 2, 3: 3 });
      const sourceSubs = "       ^";
      const expected = "         --------(23)";
      m.expect(
        source.pipe(
          gateReadyTasks(state, {
            release: "all",
            maxHeld: 2,
            overflow: "drop-oldest",
            onDrop: (v) => dropped.push(v),
          }),
        ),
      ).toBeObservable(expected, { 2: 2, 3: 3 });
      m.expect(source).toHaveSubscriptions(sourceSubs);
      m.flush();
      expect(dropped).toEqual([1]);
    }),
  );

  it("stops a release when a released value synchronously registers a modification", () => {
    const bus = new Subject<OrionEvent>();
    const ready = new Subject<string>();
    const out: string[] = [];
    const state = bus.pipe(pendingModifications());
    const sub = ready.pipe(gateReadyTasks(state, { release: "all" })).subscribe((v) => {
      out.push(v);
      // Starting "x" completes it at once, which registers a modification.
      if (v === "x") bus.next(taskCompleted("x"));
    });
    bus.next(taskCompleted("a"));
    ready.next("x");
    ready.next("y");
    bus.next(orionModified(["a"]));
    expect(out).toEqual(["x"]);
    // A value arriving meanwhile queues behind the held one.
    ready.next("z");
    bus.next(orionModified(["x"]));
    expect(out).toEqual(["x", "y", "z"]);
    sub.unsubscribe();
  });

  it("keeps order when a value arrives during a release", () => {
    const bus = new Subject<OrionEvent>();
    const ready = new Subject<string>();
    const out: string[] = [];
    const state = bus.pipe(pendingModifications());
    const sub = ready.pipe(gateReadyTasks(state, { release: "all" })).subscribe((v) => {
      out.push(v);
      if (v === "x") ready.next("late");
    });
    bus.next(taskCompleted("a"));
    ready.next("x");
    ready.next("y");
    bus.next(orionModified(["a"]));
    expect(out).toEqual(["x", "y", "late"]);
    sub.unsubscribe();
  });

  it("rejects bad options at call time", () => {
    const s: Observable<PendingState> = NEVER;
    expect(() => gateReadyTasks(s, { maxHeld: 0 })).toThrow(RangeError);
    expect(() => gateReadyTasks(s, { maxHeld: 1.5 })).toThrow(RangeError);
    expect(() => gateReadyTasks(s, { release: "some" as "all" })).toThrow(RangeError);
    expect(() => gateReadyTasks(s, { overflow: "drop" as "error" })).toThrow(RangeError);
  });

  it(
    "reads the same pipeline with a marble value map of events",
    marbles((m) => {
      const bus = m.hot<OrionEvent>("^-c--d--m--n-", {
        c: taskCompleted("a"),
        d: taskCompleted("b"),
        m: orionModified(["a"]),
        n: orionModified(["b"]),
      });
      const ready = m.hot("          ^--r--s------", { r: ["b"], s: ["c"] });
      const busSubs = "              ^";
      const readySubs = "            ^";
      const expected = "             -----------s-";
      const state = bus.pipe(pendingModifications());
      m.expect(
        ready.pipe(
          gateReadyTasks(state),
          map((ids) => ids.join()),
        ),
      ).toBeObservable(expected, { s: "c" });
      m.expect(bus).toHaveSubscriptions(busSubs);
      m.expect(ready).toHaveSubscriptions(readySubs);
    }),
  );
});
