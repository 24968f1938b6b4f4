import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EventIdMap } from "../../src/pending/EventIdMap.js";
import { eventKey, parsePendingKey, pendingKey } from "../../src/pending/keys.js";
import type { EventRecord } from "../../src/pending/PendingState.js";
import { runs } from "../properties/runs.js";

// The fold keeps event records by event id alone, with a slot of its own for an id several
// orions used. Whatever the order of writes and deletes, each version must read as a plain map
// by `eventKey` would, and keep reading so after later versions are made.

/** Ids that collide when concatenated carelessly. */
const id = fc.constantFrom("", "/", ":", "1", "a", "1:a", "a/b", "__proto__");
const step = fc.oneof(
  fc.record({ op: fc.constant("with" as const), orionId: id, eventId: id, forgetAt: fc.nat(9) }),
  fc.record({ op: fc.constant("without" as const), orionId: id, eventId: id }),
);

function record(orionId: string, forgetAt: number): EventRecord {
  return { phase: "seen", orionId, taskId: undefined, forgetAt };
}

/** Checks that `map` holds exactly `model`'s entries, through every way of reading it. */
function expectSame(map: EventIdMap, model: ReadonlyMap<string, EventRecord>): void {
  expect(map.size).toBe(model.size);
  expect(new Map(map)).toEqual(model);
  for (const [key, value] of model) {
    const ids = parsePendingKey(key)!;
    expect(map.find(ids.orionId, ids.id)).toBe(value);
    expect(map.get(key as never)).toBe(value);
    expect(map.has(key as never)).toBe(true);
  }
}

describe("EventIdMap", () => {
  it("reads as a map by eventKey after any writes and deletes, every version kept", () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        let map = EventIdMap.empty();
        const model = new Map<string, EventRecord>();
        const versions: [EventIdMap, Map<string, EventRecord>][] = [];
        for (const s of steps) {
          const key = eventKey(s.orionId, s.eventId);
          if (s.op === "with") {
            const r = record(s.orionId, s.forgetAt);
            map = map.with(s.eventId, r);
            model.set(key, r);
          } else {
            map = map.without(s.orionId, s.eventId);
            model.delete(key);
          }
          expectSame(map, model);
          versions.push([map, new Map(model)]);
        }
        for (const [version, expected] of versions) expectSame(version, expected);
      }),
      { numRuns: runs(300) },
    );
  });

  it("keeps each orion's record of an id two orions used, and drops one without the other", () => {
    const a = record("a", 1);
    const b = record("b", 2);
    const both = EventIdMap.empty().with("e1", a).with("e1", b);
    expect(both.size).toBe(2);
    expect(both.find("a", "e1")).toBe(a);
    expect(both.find("b", "e1")).toBe(b);
    expect(both.find("c", "e1")).toBeUndefined();
    const onlyB = both.without("a", "e1");
    expect(onlyB.size).toBe(1);
    expect(onlyB.find("a", "e1")).toBeUndefined();
    expect(onlyB.find("b", "e1")).toBe(b);
    expect(both.without("c", "e1")).toBe(both);
  });

  it("finds nothing in a shared slot for an orion id that is no string", () => {
    const both = EventIdMap.empty().with("e1", record("a", 1)).with("e1", record("b", 2));
    expect(both.find(undefined as never, "e1")).toBeUndefined();
  });

  it("answers undefined, and never throws, for a key that is no string", () => {
    const map = EventIdMap.empty().with("e", record("a", 1));
    for (const key of [undefined, null, 42, {}, new String(eventKey("a", "e"))]) {
      expect(map.get(key as never)).toBeUndefined();
      expect(map.has(key as never)).toBe(false);
    }
  });

  it("answers undefined for keys eventKey never makes", () => {
    const map = EventIdMap.empty().with("b", record("a", 1));
    expect(map.get(eventKey("a", "b"))).toBeDefined();
    for (const key of ["1:a/b ", "01:a/b", " 1:a/b", "1:ab", "2:a/b", "1a/b", ":a/b", "a/b", ""]) {
      expect(map.get(key as never)).toBeUndefined();
    }
  });
});

describe("parsePendingKey", () => {
  it("gives back the ids of any key pendingKey made", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), (orionId, taskId) => {
        expect(parsePendingKey(pendingKey(orionId, taskId))).toEqual({ orionId, id: taskId });
      }),
      { numRuns: runs(300) },
    );
  });
});
