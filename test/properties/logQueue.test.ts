import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LogQueue } from "../../src/internal/LogQueue.js";
import { runs } from "./runs.js";
import { collectGarbage } from "../support/collectGarbage.js";

// Mostly the newest version (where the log grows in place), sometimes any older one.
const versionArb = fc.oneof(
  { weight: 4, arbitrary: fc.constant(-1) },
  { weight: 1, arbitrary: fc.nat() },
);

type Op =
  | { op: "push"; version: number; n: number }
  | { op: "drop"; version: number; n: number }
  | { op: "dropWhile"; version: number; below: number; keep: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  // Bursts, so that logs cross chunk boundaries (256 entries) within a run.
  fc.record({
    op: fc.constant("push" as const),
    version: versionArb,
    n: fc.integer({ min: 1, max: 40 }),
  }),
  fc.record({ op: fc.constant("drop" as const), version: versionArb, n: fc.nat(300) }),
  fc.record({
    op: fc.constant("dropWhile" as const),
    version: versionArb,
    below: fc.nat(4000),
    keep: fc.nat(300),
  }),
);

const contents = (q: LogQueue<string, number>): [string, number][] =>
  q.entries().map(({ key, value }) => [key, value]);

describe("LogQueue", () => {
  it("behaves like an immutable array per version, whatever version is pushed to or dropped from", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const versions: LogQueue<string, number>[] = [LogQueue.empty()];
        const models: [string, number][][] = [[]];
        let counter = 0;
        for (const o of ops) {
          const i = o.version < 0 ? versions.length - 1 : o.version % versions.length;
          let v = versions[i]!;
          let model = models[i]!;
          if (o.op === "push") {
            for (let k = 0; k < o.n; k++) {
              const entry: [string, number] = [`k${counter % 7}`, counter++];
              v = v.push(entry[0], entry[1]);
              model = [...model, entry];
              versions.push(v);
              models.push(model);
            }
          } else if (o.op === "drop") {
            const n = Math.min(o.n, v.length);
            versions.push(v.drop(n));
            models.push(model.slice(n));
          } else {
            // As the fold's purge: expired entries, or any beyond a limit.
            const drops = (value: number, left: number) => value < o.below || left > o.keep;
            let n = 0;
            while (n < model.length && drops(model[n]![1], model.length - n)) n++;
            const seen: [string, number][] = [];
            versions.push(
              v.dropWhile((key, value, left) => {
                seen.push([key, value]);
                return drops(value, left);
              }),
            );
            models.push(model.slice(n));
            // Called oldest first, up to and including the first entry it keeps.
            expect(seen).toEqual(model.slice(0, Math.min(n + 1, model.length)));
          }
        }
        versions.forEach((v, i) => {
          const model = models[i]!;
          expect(v.length).toBe(model.length);
          expect(contents(v)).toEqual(model);
          if (model.length > 0) {
            expect(v.keyAt(0)).toBe(model[0]![0]);
            expect(v.valueAt(model.length - 1)).toBe(model[model.length - 1]![1]);
          }
        });
      }),
      { numRuns: runs(300) },
    );
  });

  it("keeps a bounded directory when used linearly: dead chunks are compacted away", () => {
    let q = LogQueue.empty<string, number>();
    for (let i = 0; i < 100_000; i++) {
      q = q.push(`k${i}`, i);
      if (q.length > 10) q = q.drop(1);
    }
    expect(contents(q)).toEqual(
      Array.from({ length: 10 }, (_, j) => [`k${99_990 + j}`, 99_990 + j]),
    );
    // Its directory holds the chunk of its live entries and at most a few dead ones.
    const { log } = q as unknown as { log: { chunks: unknown[] } };
    expect(log.chunks.length).toBeLessThanOrEqual(6);
  });

  it("an old version held does not keep alive what later versions appended and dropped", async () => {
    // As an operator keeping its `initialState`: the live line pushes and drops on.
    const held = LogQueue.empty<string, object>().push("first", {});
    let q = held;
    const later: WeakRef<object>[] = [];
    for (let i = 0; i < 20_000; i++) {
      const value = {};
      if (i >= 10_000 && i < 10_100) later.push(new WeakRef(value));
      q = q.push(`k${i}`, value);
      if (q.length > 1) q = q.drop(1);
    }
    await collectGarbage();
    expect(later.filter((ref) => ref.deref() !== undefined)).toHaveLength(0);
    expect(held.entries()).toEqual([{ key: "first", value: {} }]);
    expect(q.length).toBe(1);
  });

  it("copies a long window in linear time when an old version is pushed to", () => {
    let q = LogQueue.empty<string, number>();
    for (let i = 0; i < 65_536; i++) q = q.push(`k${i}`, i);
    q.push("newer", -1);
    // Counts chunk lookups instead of timing: a copy reads each entry's chunk once.
    const log = (q as unknown as { log: { chunks: unknown[][] } }).log;
    let reads = 0;
    const counted = new Proxy(log.chunks, {
      get(target, property, receiver) {
        if (typeof property === "string" && /^\d+$/.test(property)) reads++;
        return Reflect.get(target, property, receiver) as unknown;
      },
    });
    (log as { chunks: unknown[][] }).chunks = counted;
    const branch = q.push("branch", -2);
    expect(branch.length).toBe(65_537);
    expect(branch.valueAt(65_536)).toBe(-2);
    expect(reads).toBeLessThanOrEqual(2 * 65_536 + 8);
  });

  it("drops across chunks, calling its predicate on each entry in order", () => {
    let q = LogQueue.empty<string, number>();
    for (let i = 0; i < 1000; i++) q = q.push(`k${i}`, i);
    const seen: number[] = [];
    const rest = q.dropWhile((key, value, left) => {
      expect(key).toBe(`k${value}`);
      expect(left).toBe(1000 - value);
      seen.push(value);
      return value < 600;
    });
    expect(seen).toEqual(Array.from({ length: 601 }, (_, i) => i));
    expect(contents(rest)).toEqual(Array.from({ length: 400 }, (_, j) => [`k${600 + j}`, 600 + j]));
    expect(q.length).toBe(1000);
  });

  it("does not let an older version's push overwrite what a newer one appended", () => {
    const base = LogQueue.empty<string, number>().push("a", 1);
    const newer = base.push("b", 2);
    const branch = base.push("c", 3);
    expect(contents(newer)).toEqual([
      ["a", 1],
      ["b", 2],
    ]);
    expect(contents(branch)).toEqual([
      ["a", 1],
      ["c", 3],
    ]);
    expect(contents(newer.push("d", 4))).toEqual([
      ["a", 1],
      ["b", 2],
      ["d", 4],
    ]);
    expect(contents(base)).toEqual([["a", 1]]);
  });
});
