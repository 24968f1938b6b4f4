import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DeadlineQueue } from "../../src/internal/DeadlineQueue.js";
import { runs } from "./runs.js";

describe("DeadlineQueue", () => {
  it("pops due entries earliest first, ties in push order, and compacts without losing live ones", () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(100), { maxLength: 80 }),
        fc.array(fc.nat(120), { maxLength: 10 }),
        fc.func(fc.boolean()),
        (deadlines, nows, keep) => {
          const q = new DeadlineQueue<number>();
          deadlines.forEach((d, i) => q.push(d, i));
          let model = deadlines.map((d, i) => ({ d, i }));
          q.compact((e) => keep(e.key));
          model = model.filter((e) => keep(e.i));
          for (const now of [...nows].sort((a, b) => a - b)) {
            const due = q.popDue(now).map((e) => e.key);
            const expected = model
              .filter((e) => e.d <= now)
              .sort((a, b) => a.d - b.d || a.i - b.i)
              .map((e) => e.i);
            model = model.filter((e) => e.d > now);
            expect(due).toEqual(expected);
            expect(q.length).toBe(model.length);
          }
          expect(q.peek()).toBe(model.length ? Math.min(...model.map((e) => e.d)) : undefined);
        },
      ),
      { numRuns: runs(300) },
    );
  });
});
