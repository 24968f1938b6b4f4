/**
 * What the selector specs share: bus events and folded states by marble letter, and the tests
 * every operator on the state stream passes.
 */
import type { OperatorFunction } from "rxjs";
import { it } from "vitest";
import type { PendingState } from "../../../src/pending/PendingState.js";
import { initialPendingState, reducePending } from "../../../src/pending/reducePending.js";
import { orionModified, taskCompleted, taskStarted } from "../../../testing/index.js";
import { marbles } from "../../marbles.js";

/** Events by letter: `a`, `b`, `c` complete, `m` answers `a`, `n` `b`, `o` `c`; `s` starts `z`. */
export const ev = {
  a: taskCompleted("a"),
  b: taskCompleted("b"),
  m: orionModified(["a"]),
  n: orionModified(["b"]),
  s: taskStarted("z"),
  c: taskCompleted("c"),
  o: orionModified(["c"]),
};

/** States by letter: `o` nothing pending, `p` one, `q` two, `r` none again; versions increase. */
export function states(): Record<"o" | "p" | "q" | "r", PendingState> {
  const o = initialPendingState(1000, 0);
  const p = reducePending(o, { kind: "event", event: taskCompleted("a") }, 0);
  const q = reducePending(p, { kind: "event", event: taskCompleted("b") }, 0);
  const r = reducePending(q, { kind: "event", event: orionModified(["a", "b"]) }, 0);
  return { o, p, q, r };
}

/** One marble case: a cold source, its subscription, and what the operator emits. */
export interface MarbleCase {
  readonly source: string;
  readonly sourceValues?: Readonly<Record<string, unknown>>;
  readonly subs: string;
  readonly expected: string;
  readonly expectedValues?: Readonly<Record<string, unknown>>;
  /** When the test unsubscribes from the operator. */
  readonly unsub?: string;
}

/**
 * The tests every operator on the state stream passes: an empty stream completes with no
 * value, an error from the stream reaches the subscriber, and unsubscribing unsubscribes from
 * the stream (the names and marbles each spec had written out before).
 */
export function followsTheStateStream(
  operator: OperatorFunction<PendingState, unknown>,
  cases: { readonly error: MarbleCase; readonly unsubscribe: MarbleCase & { unsub: string } },
  unsubscribeName = "unsubscribes from the state stream when unsubscribed",
): void {
  const run = (c: MarbleCase) =>
    marbles((m) => {
      const source = m.cold<PendingState>(c.source, c.sourceValues as Record<string, PendingState>);
      m.expect(source.pipe(operator), c.unsub).toBeObservable(c.expected, c.expectedValues);
      m.expect(source).toHaveSubscriptions(c.subs);
    });
  it(
    "completes without a value when the state stream is empty",
    run({ source: "|", subs: "(^!)", expected: "|" }),
  );
  it("propagates an error from the state stream", run(cases.error));
  it(unsubscribeName, run(cases.unsubscribe));
}
