import { describe, expect, it } from "vitest";
import {
  InvalidEventError,
  isOrionEnded,
  isOrionModified,
  isOrionStarted,
  isTaskEnded,
  isTaskEvent,
  parseOrionEvent,
  type OrionEvent,
} from "../src/events.js";
import { noteRecordDerived, recordDerivation } from "../src/orion/internal/orionChanges.js";
import { freezeNewRecord } from "../src/orion/internal/recordFacts.js";
import { emptyOrion, orionModified, taskCompleted } from "../testing/index.js";

function invalid(value: unknown): InvalidEventError {
  const parsed = parseOrionEvent(value);
  expect(parsed).toBeInstanceOf(InvalidEventError);
  return parsed as InvalidEventError;
}

describe("parseOrionEvent", () => {
  it("returns valid events unchanged", () => {
    const events: OrionEvent[] = [
      taskCompleted("a"),
      { type: "TASK_FAILED", orionId: "o", taskId: "t", error: { message: "x" }, timestamp: 5 },
      { type: "TASK_STARTED", orionId: "o", taskId: "t", newlyReadyTaskIds: [] },
      orionModified(["a", "b"], "o1", emptyOrion("o1")),
      { type: "ORION_STARTED", orionId: "o1", orion: emptyOrion("o1") },
      { type: "ORION_COMPLETED", orionId: "o" },
      { type: "ORION_FAILED", orionId: "o" },
    ];
    for (const event of events) expect(parseOrionEvent(event)).toBe(event);
  });

  it.each([
    [null, "not-an-object", ""],
    [[], "not-an-object", ""],
    ["TASK_COMPLETED", "not-an-object", ""],
    [{}, "missing-field", "type"],
    [{ type: "TASK_EXPLODED", orionId: "o" }, "unknown-type", "type"],
    [{ type: 7, orionId: "o" }, "unknown-type", "type"],
    [{ type: "TASK_COMPLETED", taskId: "a" }, "missing-field", "orionId"],
    [{ type: "TASK_COMPLETED", orionId: 3, taskId: "a" }, "wrong-type", "orionId"],
    [{ type: "TASK_COMPLETED", orionId: "", taskId: "a" }, "empty-value", "orionId"],
    [{ type: "TASK_COMPLETED", orionId: "o" }, "missing-field", "taskId"],
    [{ type: "TASK_COMPLETED", orionId: "o", taskId: ["a"] }, "wrong-type", "taskId"],
    [
      { type: "TASK_COMPLETED", orionId: "o", taskId: "a", timestamp: Number.NaN },
      "wrong-type",
      "timestamp",
    ],
    [
      { type: "TASK_COMPLETED", orionId: "o", taskId: "a", newlyReadyTaskIds: "b" },
      "wrong-type",
      "newlyReadyTaskIds",
    ],
    [
      { type: "TASK_COMPLETED", orionId: "o", taskId: "a", newlyReadyTaskIds: ["b", 2] },
      "wrong-type",
      "newlyReadyTaskIds[1]",
    ],
    [{ type: "ORION_MODIFIED", orionId: "o" }, "missing-field", "onTaskIds"],
    [{ type: "ORION_MODIFIED", orionId: "o", onTaskIds: [] }, "empty-value", "onTaskIds"],
    [{ type: "ORION_MODIFIED", orionId: "o", onTaskIds: "a" }, "wrong-type", "onTaskIds"],
    [{ type: "ORION_MODIFIED", orionId: "o", onTaskIds: ["a", ""] }, "empty-value", "onTaskIds[1]"],
    [
      { type: "ORION_MODIFIED", orionId: "o", onTaskIds: ["a"], newOrion: 5 },
      "wrong-type",
      "newOrion",
    ],
    [
      { type: "ORION_MODIFIED", orionId: "o", onTaskIds: ["a"], newOrion: emptyOrion("p") },
      "wrong-type",
      "newOrion.id",
    ],
    [
      {
        type: "ORION_MODIFIED",
        orionId: "o",
        onTaskIds: ["a"],
        newOrion: { id: "o", tasks: [], dependencies: {} },
      },
      "wrong-type",
      "newOrion.tasks",
    ],
    [{ type: "ORION_STARTED", orionId: "o" }, "wrong-type", "orion"],
  ])("rejects %j as %s at %j", (value, reason, path) => {
    const error = invalid(value);
    expect(error.reason).toBe(reason);
    expect(error.path).toBe(path);
    expect(error.message).toContain("invalid orion event");
  });

  it("reads only own properties: an inherited type is not a type", () => {
    const proto = { type: "TASK_COMPLETED", orionId: "o", taskId: "a" };
    expect(invalid(Object.create(proto)).reason).toBe("missing-field");
  });

  it("accepts prototype-like task ids as plain strings", () => {
    const event = { type: "TASK_COMPLETED", orionId: "o", taskId: "__proto__" };
    expect(parseOrionEvent(event)).toBe(event);
  });

  it("type guards tell the variants apart", () => {
    const done = taskCompleted("a");
    const modified = orionModified(["a"]);
    const started: OrionEvent = { type: "ORION_STARTED", orionId: "o1", orion: emptyOrion() };
    const ended: OrionEvent = { type: "ORION_FAILED", orionId: "o1" };
    expect([isTaskEvent(done), isTaskEnded(done), isOrionModified(done)]).toEqual([
      true,
      true,
      false,
    ]);
    expect(isTaskEnded({ type: "TASK_STARTED", orionId: "o", taskId: "a" })).toBe(false);
    expect([isOrionModified(modified), isTaskEvent(modified)]).toEqual([true, false]);
    expect([isOrionStarted(started), isOrionEnded(started)]).toEqual([true, false]);
    expect(isOrionEnded(ended)).toBe(true);
  });
});

describe("parseOrionEvent on hostile values", () => {
  it("returns an 'unreadable' error when reading the value throws", () => {
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    const getter = {
      type: "ORION_MODIFIED",
      orionId: "o",
      get onTaskIds(): string[] {
        throw new TypeError("no");
      },
    };
    for (const value of [revoked.proxy, getter]) {
      const parsed = parseOrionEvent(value);
      expect(parsed).toBeInstanceOf(InvalidEventError);
      expect((parsed as InvalidEventError).reason).toBe("unreadable");
    }
  });
});

describe("parseOrionEvent on a record derived from a checked one", () => {
  // What the simulated agent publishes: a frozen copy of its last task record with some values
  // replaced, noted with `noteRecordDerived`. Entry `b` is a getter that counts its reads (a
  // full walk reads it) and returns `b`'s object, or `bValue` when set.
  const setUp = (options: { readonly baseFrozen?: boolean; readonly derivedFrozen?: boolean }) => {
    const base = { a: { id: "a" }, b: { id: "b" } };
    if (options.baseFrozen !== false) Object.freeze(base);
    const started = {
      type: "ORION_STARTED",
      orionId: "o",
      orion: { id: "o", tasks: base, dependencies: Object.freeze({}) },
    };
    expect(parseOrionEvent(started)).toBe(started);
    const probe = { reads: 0, bValue: base.b as unknown };
    const derived = Object.defineProperty({ a: { id: "a", params: { after_x: true } } }, "b", {
      enumerable: true,
      get: () => {
        probe.reads++;
        return probe.bValue;
      },
    }) as Record<string, unknown>;
    if (options.derivedFrozen !== false) freezeNewRecord(derived);
    noteRecordDerived(derived, base, ["a"]);
    const answer = {
      type: "ORION_MODIFIED",
      orionId: "o",
      onTaskIds: ["x"],
      newOrion: { id: "o", tasks: derived, dependencies: Object.freeze({}) },
    };
    return { derived, probe, answer };
  };

  it("looks only at the replaced entries, then lets the record it came from go", () => {
    const { derived, probe, answer } = setUp({});
    expect(parseOrionEvent(answer)).toBe(answer);
    expect(probe.reads).toBe(0);
    // The spent note no longer refers to the base: a chain of records is not kept alive.
    expect(recordDerivation(derived)).toEqual({ from: derived, keys: [] });
    expect(parseOrionEvent(answer)).toBe(answer);
    expect(probe.reads).toBe(0);
  });

  it("reports a replaced entry that is not an object where a full walk would", () => {
    const { derived, answer } = setUp({ derivedFrozen: false });
    derived["a"] = null;
    freezeNewRecord(derived);
    expect(invalid(answer)).toMatchObject({ path: 'newOrion.tasks["a"]', reason: "wrong-type" });
  });

  it("walks a record derived from one never checked whole (not frozen)", () => {
    const { probe, answer } = setUp({ baseFrozen: false });
    probe.bValue = null;
    expect(invalid(answer)).toMatchObject({ path: 'newOrion.tasks["b"]' });
  });

  it("walks a derived record that is not frozen: it may have changed since it was noted", () => {
    const { probe, answer } = setUp({ derivedFrozen: false });
    probe.bValue = null;
    expect(invalid(answer)).toMatchObject({ path: 'newOrion.tasks["b"]' });
  });

  it("walks a derived record that lacks a key its note names", () => {
    const { derived, probe, answer } = setUp({ derivedFrozen: false });
    delete derived["a"];
    freezeNewRecord(derived);
    probe.bValue = null;
    expect(invalid(answer)).toMatchObject({ path: 'newOrion.tasks["b"]' });
  });
});
