import { describe, expect, it } from "vitest";
import {
  InvalidEventError,
  isOrionEnded,
  isOrionModified,
  isOrionStarted,
  isTaskEnded,
  isTaskEvent,
  parseOrionEvent,
  readOrionEvent,
  type OrionEvent,
} from "../src/events.js";
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

describe("readOrionEvent", () => {
  /** Every field an event may have, on an answer that parses. */
  const everyField = {
    type: "ORION_MODIFIED",
    orionId: "o1",
    taskId: "a",
    eventId: "m1",
    timestamp: 5,
    result: { n: 1 },
    error: "boom",
    newlyReadyTaskIds: ["b"],
    onTaskIds: ["a"],
    onEventIds: ["c1"],
    scope: ["b"],
    newOrion: emptyOrion("o1"),
    orion: emptyOrion("o1"),
  };

  it("copies every field an event may have, in order, lists by value, and nothing else", () => {
    const copy = readOrionEvent({ ...everyField, extra: 1 }) as unknown as Record<string, unknown>;
    expect(Object.keys(copy)).toEqual(Object.keys(everyField));
    expect(copy).toEqual(everyField);
    expect(copy["onTaskIds"]).not.toBe(everyField.onTaskIds);
    expect(copy["newOrion"]).toBe(everyField.newOrion);
  });

  it("reads each own field once, through a proxy as well", () => {
    const reads = new Map<PropertyKey, number>();
    const proxy = new Proxy(everyField, {
      get(target, key, receiver) {
        reads.set(key, (reads.get(key) ?? 0) + 1);
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    expect(readOrionEvent(proxy)).toEqual(everyField);
    expect(Object.keys(everyField).map((key) => reads.get(key))).toEqual(
      Object.keys(everyField).map(() => 1),
    );
  });

  it("never reads an inherited field: its value is not used, its getter never runs", () => {
    const event = { type: "TASK_STARTED", orionId: "o", taskId: "a" };
    const withData = Object.assign(Object.create({ eventId: "inherited" }) as object, event);
    expect(readOrionEvent(withData)).toEqual(event);
    const withGetter = Object.create({
      get eventId(): string {
        throw new TypeError("read");
      },
    }) as object;
    expect(readOrionEvent(Object.assign(withGetter, event))).toEqual(event);
  });

  it("judges an id list field by what the parse checks, whatever object the event puts there", () => {
    const planted = new InvalidEventError("missing-field", "x", "planted");
    expect(
      readOrionEvent({ type: "ORION_MODIFIED", orionId: "o", onTaskIds: planted }),
    ).toMatchObject({ reason: "wrong-type", path: "onTaskIds" });
    // Fields the type does not check are copied as they are, without a question asked of them.
    const lookalike = Object.create(InvalidEventError.prototype) as object;
    const trap = new Proxy(
      {},
      {
        getPrototypeOf: () => {
          throw new Error("trap");
        },
      },
    );
    for (const scope of [lookalike, trap]) {
      // Compared by identity: `toEqual` would ask the proxy its prototype.
      const read = readOrionEvent({ type: "TASK_COMPLETED", orionId: "o", taskId: "t", scope });
      expect(read instanceof InvalidEventError).toBe(false);
      expect((read as unknown as Record<string, unknown>)["scope"] === scope).toBe(true);
    }
  });

  it("bounds an id list before copying it", () => {
    const parsed = readOrionEvent({
      type: "ORION_MODIFIED",
      orionId: "o",
      onTaskIds: { length: 1e9 },
      onEventIds: new Proxy([], { get: (_t, key) => (key === "length" ? 1e9 : undefined) }),
    });
    expect(parsed).toMatchObject({ reason: "wrong-type", path: "onEventIds" });
  });
});
