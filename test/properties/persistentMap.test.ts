import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PersistentMap } from "../../src/internal/PersistentMap.js";
import { runs } from "./runs.js";

type Op =
  | { op: "set"; version: number; key: number; value: number }
  | { op: "delete"; version: number; key: number }
  | { op: "read"; version: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    op: fc.constant("set" as const),
    version: fc.nat(),
    key: fc.nat(8),
    value: fc.nat(3),
  }),
  fc.record({ op: fc.constant("delete" as const), version: fc.nat(), key: fc.nat(8) }),
  fc.record({ op: fc.constant("read" as const), version: fc.nat() }),
);

describe("PersistentMap", () => {
  it("behaves like an immutable copy per version, whatever version is read or updated", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const versions: PersistentMap<number, number>[] = [PersistentMap.empty()];
        const models: Map<number, number>[] = [new Map()];
        for (const o of ops) {
          const i = o.version % versions.length;
          const v = versions[i] as PersistentMap<number, number>;
          const model = models[i] as Map<number, number>;
          if (o.op === "read") {
            expect([...v.entries()].sort()).toEqual([...model.entries()].sort());
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
          const model = models[i] as Map<number, number>;
          expect(v.size).toBe(model.size);
          for (let k = 0; k <= 8; k++) {
            expect(v.get(k)).toBe(model.get(k));
            expect(v.has(k)).toBe(model.has(k));
          }
        });
      }),
      { numRuns: runs(300) },
    );
  });

  it("returns the same map for an update that changes nothing", () => {
    const a = PersistentMap.empty<string, number>().set("x", 1);
    expect(a.set("x", 1)).toBe(a);
    expect(a.delete("y")).toBe(a);
  });

  it("lets a callback read other versions while iterating", () => {
    const a = PersistentMap.empty<string, number>().set("x", 1).set("y", 2);
    const b = a.delete("x").set("z", 3);
    const seen: string[] = [];
    a.forEach((value, key) => {
      seen.push(`${key}=${value}:${b.has(key)}`);
    });
    expect(seen.sort()).toEqual(["x=1:false", "y=2:true"]);
    expect([...b.keys()].sort()).toEqual(["y", "z"]);
  });
});
