import { map, timer } from "rxjs";
import { describe, expect, it } from "vitest";
import { cases, marbles } from "./marbles.js";

describe("the marble adapter", () => {
  it(
    "virtualises timer(1000): one copy of rxjs is shared with rxjs-marbles",
    marbles((m) => {
      // If vitest resolved a second copy of rxjs for our code, TestScheduler.run would not
      // patch the AsyncScheduler that `timer` uses, and this would wait a real second.
      m.expect(timer(1000).pipe(map(() => "x"))).toBeObservable("1000ms (x|)");
    }),
  );

  it("reports a marble mismatch as a failed vitest assertion", () => {
    const failing = marbles((m) => {
      m.expect(m.cold("a|")).toBeObservable("b|");
    });
    expect(failing).toThrow();
  });
});

cases(
  (m, c) => {
    m.expect(m.cold(c.input).pipe(map((v) => v.toUpperCase()))).toBeObservable(c.output);
  },
  {
    "cases run one test each (1)": { input: "a|", output: "A|" },
    "cases run one test each (2)": { input: "-b-|", output: "-B-|" },
  },
);
