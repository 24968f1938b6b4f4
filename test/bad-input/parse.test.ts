/**
 * `parseOrionEvent` on arbitrary and hostile values (fast-check): it returns the event itself
 * or an `InvalidEventError`, never throws, never hangs. Rows P1-P5 of docs/bad-input.md.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  InvalidEventError,
  ORION_EVENT_TYPES,
  parseOrionEvent,
  type InvalidEventReason,
} from "../../src/events.js";
import { runs } from "../properties/runs.js";
import { hostile } from "./hostile.js";

const reasons: readonly InvalidEventReason[] = [
  "not-an-object",
  "unknown-type",
  "missing-field",
  "wrong-type",
  "empty-value",
  "unreadable",
];

/**
 * Parses `value` and checks the contract: the value itself, or a well-formed typed error.
 * Hostile values are never handed to `expect` (its formatting would read them).
 */
function parsesOrRejects(value: unknown, hostileInput = false): void {
  let result: unknown;
  let thrown = false;
  try {
    result = parseOrionEvent(value);
  } catch {
    thrown = true;
  }
  expect(thrown, "parseOrionEvent threw").toBe(false);
  if (!Object.is(result, value)) {
    expect(result).toBeInstanceOf(InvalidEventError);
    if (!(result instanceof InvalidEventError)) return;
    expect(reasons).toContain(result.reason);
    // Only a value that throws when read is unreadable: a plain value never is, so an
    // internal throw (a bug the catch-all would hide) fails here.
    if (!hostileInput) expect(result.reason).not.toBe("unreadable");
    expect(result.message.startsWith("invalid orion event: ")).toBe(true);
    if (result.path !== "") expect(result.message).toContain(`${result.path}: `);
  } else {
    expect(ORION_EVENT_TYPES).toContain((value as { type: string }).type);
  }
}

/** A valid event of each type, for near-miss mutations. */
const validEvents: readonly Record<string, unknown>[] = [
  { type: "TASK_STARTED", orionId: "o1", taskId: "a", timestamp: 1 },
  { type: "TASK_COMPLETED", orionId: "o1", taskId: "a", result: 1, newlyReadyTaskIds: ["b"] },
  { type: "TASK_FAILED", orionId: "o1", taskId: "a", error: "boom" },
  {
    type: "ORION_STARTED",
    orionId: "o1",
    orion: { id: "o1", state: "created", tasks: { a: {} }, dependencies: {} },
  },
  {
    type: "ORION_MODIFIED",
    orionId: "o1",
    onTaskIds: ["a"],
    newOrion: { id: "o1", state: "created", tasks: {}, dependencies: { d: {} } },
  },
  { type: "ORION_COMPLETED", orionId: "o1" },
  { type: "ORION_FAILED", orionId: "o1" },
];

const field = fc.constantFrom(
  "type",
  "orionId",
  "taskId",
  "timestamp",
  "newlyReadyTaskIds",
  "onTaskIds",
  "newOrion",
  "orion",
  "__proto__",
  "constructor",
);

describe("parseOrionEvent fuzzed", () => {
  it("P1 arbitrary JSON (fc.jsonValue): the event or an InvalidEventError", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => parsesOrRejects(value)),
      {
        numRuns: runs(300),
      },
    );
  });

  it("P2 arbitrary JS values (fc.anything with null prototypes, bigints, maps, typed arrays)", () => {
    const anything = fc.anything({
      maxDepth: 4,
      withNullPrototype: true,
      withBigInt: true,
      withMap: true,
      withSet: true,
      withDate: true,
      withTypedArray: true,
      withSparseArray: true,
      withBoxedValues: true,
      withObjectString: true,
    });
    fc.assert(
      fc.property(anything, (value) => parsesOrRejects(value)),
      { numRuns: runs(300) },
    );
  });

  it("P3 near-valid events: one field of a valid event replaced by anything", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...validEvents),
        field,
        fc.anything({ maxDepth: 3, withNullPrototype: true, withBigInt: true }),
        (event, key, value) => {
          const mutated: Record<string, unknown> = { ...event };
          Object.defineProperty(mutated, key, { value, enumerable: true, configurable: true });
          parsesOrRejects(mutated);
        },
      ),
      { numRuns: runs(400) },
    );
    for (const event of validEvents) expect(parseOrionEvent(event)).toBe(event);
  });

  it("P4 hostile values: throwing getters, throwing proxies, revoked proxies, deep nesting", () => {
    fc.assert(
      fc.property(hostile(fc.constantFrom(...validEvents)), ({ value, throws }) => {
        parsesOrRejects(value, true);
        const result = parseOrionEvent(value);
        if (throws === "root") expect(Object.is(result, value)).toBe(false);
        // A throw the parser must read through is reported as unreadable, not swallowed.
        if (throws === "root") {
          expect(result).toBeInstanceOf(InvalidEventError);
          expect((result as InvalidEventError).reason).toBe("unreadable");
        }
      }),
      { numRuns: runs(300) },
    );
  });

  it("P5 a 10 MB string, a 1 000 000-element id list, a 100 000-deep orion: bounded work", () => {
    const big = "t".repeat(10 * 1024 * 1024);
    expect(parseOrionEvent({ type: "TASK_COMPLETED", orionId: "o1", taskId: big })).toMatchObject({
      taskId: big,
    });
    const ids = Array.from({ length: 1_000_000 }, (_, i) => `t${i}`);
    const rejected = parseOrionEvent({ type: "ORION_MODIFIED", orionId: "o1", onTaskIds: ids });
    expect(rejected).toMatchObject({ reason: "wrong-type", path: "onTaskIds" });
    expect((rejected as Error).message).toContain("at most 100000");
    // A proxy claiming ten million entries: rejected by its length, not walked.
    let reads = 0;
    const liar = new Proxy([], {
      get: (_, key) => (key === "length" ? 10_000_000 : (reads++, "a")),
    });
    const lied = parseOrionEvent({ type: "ORION_MODIFIED", orionId: "o1", onTaskIds: liar });
    expect(lied).toMatchObject({ reason: "wrong-type", path: "onTaskIds" });
    expect(reads).toBe(0);
    let deep: unknown = {};
    for (let i = 0; i < 100_000; i++) deep = { tasks: deep };
    const orion = { id: "o1", tasks: { a: deep }, dependencies: {} };
    const started = parseOrionEvent({ type: "ORION_STARTED", orionId: "o1", orion });
    expect((started as { orion?: unknown }).orion).toBe(orion);
  });
});
