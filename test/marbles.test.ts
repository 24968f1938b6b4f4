import { map, timer } from "rxjs";
import { describe, expect, it } from "vitest";
import { cases, marbles } from "./marbles.js";

describe("the marble adapter", () => {
  it(
    "virtualises timer(1000): one copy of rxjs is shared with rxjs-marbles",
    marbles((m) => {
      // If vitest resolved a second copy of rxjs for our code, TestScheduler.run would not
      // patch the AsyncScheduler that `timer` uses, and this would wait a real second.
      const expected = "1000ms (x|)";
      m.expect(timer(1000).pipe(map(() => "x"))).toBeObservable(expected);
    }),
  );

  it("reports a marble mismatch as a failed vitest assertion", () => {
    const failing = marbles((m) => {
      const source = m.cold(" a|");
      const expected = "      b|";
      m.expect(source).toBeObservable(expected);
    });
    expect(failing).toThrow();
  });
});

cases(
  (m, c) => {
    const source = m.cold(c.input);
    m.expect(source.pipe(map((v) => v.toUpperCase()))).toBeObservable(c.output);
    m.expect(source).toHaveSubscriptions(c.subs);
  },
  {
    // prettier-ignore
    "cases run one test each (1)": {
      input:  "a|",
      subs:   "^!",
      output: "A|",
    },
    // prettier-ignore
    "cases run one test each (2)": {
      input:  "-b-|",
      subs:   "^--!",
      output: "-B-|",
    },
  },
);
