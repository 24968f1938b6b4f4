import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { pendingKey } from "../../src/pending/PendingState.js";
import { runs } from "../properties/runs.js";

// pendingKey hands out the last few keys it made again (a memo): whatever the order of the
// ids asked for, a key must be the length-prefixed one, so that no two tasks share a key.

/** Ids that collide when concatenated carelessly, and short random ones. */
const id = fc.oneof(
  fc.constantFrom("", "/", ":", "0", "1", "a", "b", "1:a", "a/b", "1:/", "__proto__"),
  fc.string({ maxLength: 4 }),
);

describe("pendingKey", () => {
  it("gives `${orionId.length}:${orionId}/${taskId}` whatever ids were asked for before", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(id, id), { maxLength: 40 }), (pairs) => {
        for (const [orionId, taskId] of pairs) {
          expect(pendingKey(orionId, taskId)).toBe(`${orionId.length}:${orionId}/${taskId}`);
        }
      }),
      { numRuns: runs(300) },
    );
  });

  it("gives different keys to different tasks, however their ids concatenate", () => {
    expect(pendingKey("a/", "b")).not.toBe(pendingKey("a", "/b"));
    expect(pendingKey("1:a", "b")).not.toBe(pendingKey("1", "a/b"));
    expect(pendingKey("a", "b")).not.toBe(pendingKey("b", "b"));
  });
});
