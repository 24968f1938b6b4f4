import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PersistentMap } from "../../src/internal/PersistentMap.js";
import { runs } from "./runs.js";

// Few keys, so that versions share and overwrite entries often.
const keyArb = fc.nat(12).map((n) => `t${n}`);
// Mostly the newest version (where entries accumulate), sometimes any older one.
const versionArb = fc.oneof(
  { weight: 3, arbitrary: fc.constant(-1) },
  { weight: 1, arbitrary: fc.nat() },
);

type Op =
  | { op: "set"; version: number; key: string; value: number }
  | { op: "delete"; version: number; key: string }
  | { op: "read"; version: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    op: fc.constant("set" as const),
    version: versionArb,
    key: keyArb,
    value: fc.nat(3),
  }),
  fc.record({ op: fc.constant("delete" as const), version: versionArb, key: keyArb }),
  fc.record({ op: fc.constant("read" as const), version: versionArb }),
);

const sorted = <T>(entries: Iterable<[string, T]>) =>
  [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

describe("PersistentMap", () => {
  it("behaves like an immutable copy per version, whatever version is read or updated", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), (ops) => {
        const versions: PersistentMap<string, number>[] = [PersistentMap.empty()];
        const models: Map<string, number>[] = [new Map()];
        for (const o of ops) {
          const i = o.version < 0 ? versions.length - 1 : o.version % versions.length;
          const v = versions[i] as PersistentMap<string, number>;
          const model = models[i] as Map<string, number>;
          if (o.op === "read") {
            expect(sorted(v.entries())).toEqual(sorted(model.entries()));
            expect(v.size).toBe(model.size);
            continue;
          }
          const copy = new Map(model);
          const next = o.op === "set" ? v.set(o.key, o.value) : v.delete(o.key);
          if (o.op === "set") copy.set(o.key, o.value);
          else copy.delete(o.key);
          versions.push(next);
          models.push(copy);
        }
        versions.forEach((v, i) => {
          const model = models[i] as Map<string, number>;
          expect(v.size).toBe(model.size);
          expect(sorted(v.entries())).toEqual(sorted(model.entries()));
          for (const key of ["t0", "t7", "t12", "absent"]) {
            expect(v.get(key)).toBe(model.get(key));
            expect(v.has(key)).toBe(model.has(key));
          }
        });
      }),
      { numRuns: runs(300) },
    );
  });

  it("rebases long segments without changing any version's contents", () => {
    const versions: PersistentMap<string, number>[] = [PersistentMap.empty()];
    for (let i = 0; i < 5000; i++) {
      const last = versions[versions.length - 1] as PersistentMap<string, number>;
      versions.push(i % 3 === 2 ? last.delete(`k${i - 1}`) : last.set(`k${i % 50}`, i));
    }
    const replays: [string, number][][] = [];
    const replay = new Map<string, number>();
    for (let j = 0; j < versions.length; j++) {
      replays.push(sorted(replay.entries()));
      if (j % 3 === 2) replay.delete(`k${j - 1}`);
      else replay.set(`k${j % 50}`, j);
    }
    // Every version, across several segments, in an order that reroots back and forth.
    for (let n = 0; n < versions.length; n++) {
      const i = (n * 7919) % versions.length;
      const v = versions[i] as PersistentMap<string, number>;
      expect(sorted(v.entries())).toEqual(replays[i]);
      expect(v.size).toBe(replays[i]?.length);
    }
  });

  it("keeps many keys, then empties back to an empty map", () => {
    let m = PersistentMap.empty<string, number>();
    for (let i = 0; i < 5000; i++) m = m.set(`key-${i}`, i);
    expect(m.size).toBe(5000);
    expect(m.get("key-4321")).toBe(4321);
    for (let i = 0; i < 5000; i++) m = m.delete(`key-${i}`);
    expect(m.size).toBe(0);
    expect([...m.entries()]).toEqual([]);
  });

  it("returns the same map for an update that changes nothing", () => {
    const a = PersistentMap.empty<string, number>().set("x", 1);
    expect(a.set("x", 1)).toBe(a);
    expect(a.delete("y")).toBe(a);
  });

  it("iterates a snapshot, so a callback may update the map", () => {
    const a = PersistentMap.empty<string, number>().set("x", 1).set("y", 2);
    let b = a;
    a.forEach((value, key) => {
      b = b.delete(key).set(`${key}2`, value);
    });
    expect(sorted(b.entries())).toEqual([
      ["x2", 1],
      ["y2", 2],
    ]);
    expect(sorted(a.entries())).toEqual([
      ["x", 1],
      ["y", 2],
    ]);
  });
});
