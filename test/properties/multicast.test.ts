import fc from "fast-check";
import { BehaviorSubject, Subject, type Subscription } from "rxjs";
import { describe, expect, it } from "vitest";
import { CurrentValue, Multicast } from "../../src/internal/Multicast.js";
import { runs } from "./runs.js";

/** What a subscriber does when it receives a value `v` with `v % 3 === when` (below 1,000). */
type Reaction =
  | { do: "next" }
  | { do: "subscribe" }
  | { do: "unsubscribe"; who: number }
  | { do: "complete" }
  | { do: "error" }
  | { do: "nothing" };

type Op =
  | { op: "subscribe"; when: number; reaction: Reaction }
  | { op: "unsubscribe"; who: number }
  | { op: "next"; value: number }
  | { op: "complete" }
  | { op: "error" }
  | { op: "value" };

const reaction: fc.Arbitrary<Reaction> = fc.oneof(
  fc.constant({ do: "next" as const }),
  fc.constant({ do: "subscribe" as const }),
  fc.record({ do: fc.constant("unsubscribe" as const), who: fc.nat(8) }),
  { weight: 1, arbitrary: fc.constant({ do: "complete" as const }) },
  { weight: 1, arbitrary: fc.constant({ do: "error" as const }) },
  { weight: 3, arbitrary: fc.constant({ do: "nothing" as const }) },
);

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({ op: fc.constant("subscribe" as const), when: fc.nat(2), reaction }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("unsubscribe" as const), who: fc.nat(8) }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant("next" as const), value: fc.nat(999) }) },
  { weight: 1, arbitrary: fc.constant({ op: "complete" as const }) },
  { weight: 1, arbitrary: fc.constant({ op: "error" as const }) },
  { weight: 1, arbitrary: fc.constant({ op: "value" as const }) },
);

/** The operations a multicast under test offers, whichever it is. */
interface Target {
  subscribe(observer: {
    next: (v: number) => void;
    error: (e: unknown) => void;
    complete: () => void;
  }): Subscription;
  next(v: number): void;
  error(e: unknown): void;
  complete(): void;
  value(): number;
  /** Whether anyone is still subscribed (read while the end is delivered, too). */
  observed(): boolean;
}

/** Runs `ops` on `target` and returns everything every subscriber saw, in order. */
function play(target: Target, ops: readonly Op[]): string[] {
  const log: string[] = [];
  const subscriptions: Subscription[] = [];
  const subscribe = (when: number, act: Reaction): void => {
    const me = subscriptions.length;
    let nested = 0;
    const subscription = target.subscribe({
      next: (v) => {
        log.push(`${me} next ${v}`);
        if (v >= 1000 || v % 3 !== when) return;
        if (act.do === "next") target.next(v + 1000);
        else if (act.do === "subscribe" && nested++ < 2) subscribe(when, { do: "nothing" });
        else if (act.do === "unsubscribe") subscriptions[act.who]?.unsubscribe();
        else if (act.do === "complete") target.complete();
        else if (act.do === "error") target.error(`error from ${me}`);
      },
      error: (e) => log.push(`${me} error ${String(e)} observed ${target.observed()}`),
      complete: () => log.push(`${me} complete observed ${target.observed()}`),
    });
    subscriptions[me] = subscription;
  };
  for (const o of ops) {
    if (o.op === "subscribe") subscribe(o.when, o.reaction);
    else if (o.op === "unsubscribe") subscriptions[o.who]?.unsubscribe();
    else if (o.op === "next") target.next(o.value);
    else if (o.op === "complete") target.complete();
    else if (o.op === "error") target.error("error from the test");
    else {
      try {
        log.push(`value ${target.value()}`);
      } catch (e) {
        log.push(`value threw ${String(e)}`);
      }
    }
  }
  return log;
}

const ofSubject = (s: Subject<number>, value: () => number): Target => ({
  subscribe: (o) => s.subscribe(o),
  next: (v) => s.next(v),
  error: (e) => s.error(e),
  complete: () => s.complete(),
  value,
  observed: () => s.observed,
});

const ofMulticast = (m: Multicast<number>, value: () => number): Target => ({
  subscribe: (o) => m.observable.subscribe(o),
  next: (v) => m.next(v),
  error: (e) => m.error(e),
  complete: () => m.complete(),
  value,
  observed: () => m.observed,
});

describe("Multicast", () => {
  it("delivers as RxJS's Subject does, re-entrant subscribes, unsubscribes, nexts and ends included", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const plain = ops.filter((o) => o.op !== "value");
        const expected = play(
          ofSubject(new Subject<number>(), () => 0),
          plain,
        );
        const actual = play(
          ofMulticast(new Multicast<number>(), () => 0),
          plain,
        );
        expect(actual).toEqual(expected);
      }),
      { numRuns: runs(300) },
    );
  });

  it("tells whether anyone is subscribed", () => {
    const m = new Multicast<number>();
    expect(m.observed).toBe(false);
    const a = m.observable.subscribe();
    const b = m.observable.subscribe();
    a.unsubscribe();
    expect(m.observed).toBe(true);
    b.unsubscribe();
    expect(m.observed).toBe(false);
  });
});

describe("CurrentValue", () => {
  it("delivers and reads as RxJS's BehaviorSubject does, its error thrown by value", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const subject = new BehaviorSubject(7);
        const expected = play(
          ofSubject(subject, () => subject.value),
          ops,
        );
        const current = new CurrentValue(7);
        const actual = play(
          ofMulticast(current, () => current.value),
          ops,
        );
        expect(actual).toEqual(expected);
      }),
      { numRuns: runs(300) },
    );
  });
});
