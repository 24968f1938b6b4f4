/**
 * Bad input on the event stream, into the `pendingModifications` fold: every value is
 * ignored as invalid (typed `InvalidEventError` in `last`, counted in `stats.invalidEvents`),
 * and `x`, registered before, is still pending and answerable. Rows E1-E25 of docs/bad-input.md.
 */
import { describe, expect, it } from "vitest";
import { pendingKey } from "../../src/pending/PendingState.js";
import { orion } from "../../src/orion/orion.js";
import { orionModified, taskCompleted } from "../../testing/index.js";
import { expectFoldIntact, expectIgnoredInvalid, foldHarness, TIMEOUT } from "./support.js";

const completed = { type: "TASK_COMPLETED", orionId: "o1" } as const;

describe("event stream: values that are not events", () => {
  it("E1 null", () => {
    const h = foldHarness();
    h.feed(null);
    expectIgnoredInvalid(h, "not-an-object", "", "expected an object, got null");
    expectFoldIntact(h);
  });

  it("E2 a number, a boolean, undefined", () => {
    const h = foldHarness();
    h.feed(42);
    expectIgnoredInvalid(h, "not-an-object", "", "got number 42");
    h.feed(true);
    h.feed(undefined);
    expect(h.last().stats.invalidEvents).toBe(3);
    expect(h.last().last).toMatchObject({ kind: "ignored", reason: "invalid" });
    expectFoldIntact(h);
  });

  it("E3 an unparsed JSON string", () => {
    const h = foldHarness();
    h.feed(JSON.stringify(taskCompleted("y")));
    expectIgnoredInvalid(h, "not-an-object", "", "expected an object, got a long string");
    expectFoldIntact(h);
  });

  it("E4 an array of events", () => {
    const h = foldHarness();
    h.feed([taskCompleted("y")]);
    expectIgnoredInvalid(h, "not-an-object", "", "got an array");
    expect(h.last().pending.has(pendingKey("o1", "y"))).toBe(false);
    expectFoldIntact(h);
  });
});

describe("event stream: the envelope", () => {
  it("E5 an unknown type, and a lower-case known one", () => {
    const h = foldHarness();
    h.feed({ ...completed, type: "TASK_EXPLODED", taskId: "y" });
    expectIgnoredInvalid(h, "unknown-type", "type", "expected one of TASK_STARTED");
    h.feed({ ...completed, type: "task_completed", taskId: "y" });
    expect(h.last().last).toMatchObject({ kind: "ignored", error: { reason: "unknown-type" } });
    expect(h.last().pending.size).toBe(1);
    expectFoldIntact(h);
  });

  it("E6 a missing type", () => {
    const h = foldHarness();
    h.feed({ orionId: "o1", taskId: "y" });
    expectIgnoredInvalid(h, "missing-field", "type", "type: is required");
    expectFoldIntact(h);
  });

  it("E7 a missing orionId", () => {
    const h = foldHarness();
    h.feed({ type: "TASK_COMPLETED", taskId: "y" });
    expectIgnoredInvalid(h, "missing-field", "orionId", "orionId: is required");
    expectFoldIntact(h);
  });

  it("E8 a non-string taskId (number, symbol, object)", () => {
    const h = foldHarness();
    h.feed({ ...completed, taskId: 7 });
    expectIgnoredInvalid(h, "wrong-type", "taskId", "expected a string, got number 7");
    h.feed({ ...completed, taskId: Symbol("y") });
    expect(h.last().last).toMatchObject({
      error: { message: expect.stringContaining("symbol Symbol(y)") },
    });
    h.feed({ ...completed, taskId: { id: "y" } });
    expect(h.last().stats.invalidEvents).toBe(3);
    expectFoldIntact(h);
  });

  it("E9 an empty taskId", () => {
    const h = foldHarness();
    h.feed({ ...completed, taskId: "" });
    expectIgnoredInvalid(h, "empty-value", "taskId", "must not be empty");
    expectFoldIntact(h);
  });

  it("E10 a NaN or infinite timestamp", () => {
    const h = foldHarness();
    h.feed({ ...completed, taskId: "y", timestamp: Number.NaN });
    expectIgnoredInvalid(h, "wrong-type", "timestamp", "expected a finite number, got number NaN");
    h.feed({ ...completed, taskId: "y", timestamp: Number.NEGATIVE_INFINITY });
    expect(h.last().stats.invalidEvents).toBe(2);
    expectFoldIntact(h);
  });

  it("E11 fields inherited from a prototype are not read", () => {
    const h = foldHarness();
    const inherited: unknown = Object.create(
      { taskId: "y" },
      {
        type: { value: "TASK_COMPLETED", enumerable: true },
        orionId: { value: "o1", enumerable: true },
      },
    );
    h.feed(inherited);
    expectIgnoredInvalid(h, "missing-field", "taskId", "taskId: is required");
    expect(({} as Record<string, unknown>)["taskId"]).toBeUndefined();
    expectFoldIntact(h);
  });
});

describe("event stream: ORION_MODIFIED's onTaskIds and newOrion", () => {
  it("E12 a missing onTaskIds", () => {
    const h = foldHarness();
    h.feed({ type: "ORION_MODIFIED", orionId: "o1" });
    expectIgnoredInvalid(h, "missing-field", "onTaskIds", "onTaskIds: is required");
    expectFoldIntact(h);
  });

  it("E13 an empty onTaskIds", () => {
    const h = foldHarness();
    h.feed(orionModified([]));
    expectIgnoredInvalid(h, "empty-value", "onTaskIds", "must name at least one task id");
    expectFoldIntact(h);
  });

  it("E14 onTaskIds as a string (not iterated as characters)", () => {
    const h = foldHarness();
    h.feed({ type: "ORION_MODIFIED", orionId: "o1", onTaskIds: "x" });
    expectIgnoredInvalid(h, "wrong-type", "onTaskIds", 'expected an array of task ids, got "x"');
    expectFoldIntact(h);
  });

  it("E15 onTaskIds with a non-string id: the whole event is rejected, x stays pending", () => {
    const h = foldHarness();
    h.feed({ type: "ORION_MODIFIED", orionId: "o1", onTaskIds: ["x", 7] });
    expectIgnoredInvalid(h, "wrong-type", "onTaskIds[1]", "expected a non-empty task id");
    h.feed({ type: "ORION_MODIFIED", orionId: "o1", onTaskIds: ["x", ""] });
    expect(h.last().last).toMatchObject({ error: { reason: "empty-value", path: "onTaskIds[1]" } });
    expectFoldIntact(h);
  });

  it("E16 a newOrion with another orion's id, or tasks that are not an object", () => {
    const h = foldHarness();
    const other = orion("o2").task("a").build();
    h.feed(orionModified(["x"], "o1", other));
    expectIgnoredInvalid(h, "wrong-type", "newOrion.id", `is "o2" but the event's orionId is "o1"`);
    h.feed({
      type: "ORION_MODIFIED",
      orionId: "o1",
      onTaskIds: ["x"],
      newOrion: { id: "o1", tasks: [], dependencies: {} },
    });
    expect(h.last().last).toMatchObject({ error: { path: "newOrion.tasks" } });
    expect(h.last().currentOrion).toBeUndefined();
    expectFoldIntact(h);
  });

  it("E17 a newOrion with a task or dependency that is not an object", () => {
    const h = foldHarness();
    const bad = { id: "o1", state: "created", tasks: { a: null }, dependencies: {} };
    h.feed({ type: "ORION_MODIFIED", orionId: "o1", onTaskIds: ["x"], newOrion: bad });
    expectIgnoredInvalid(h, "wrong-type", 'newOrion.tasks["a"]', "expected an object, got null");
    const badDep = { id: "o1", state: "created", tasks: {}, dependencies: { d: "a->b" } };
    h.feed({ type: "ORION_STARTED", orionId: "o1", orion: badDep });
    expect(h.last().last).toMatchObject({ error: { path: 'orion.dependencies["d"]' } });
    expect(h.last().currentOrion).toBeUndefined();
    expectFoldIntact(h);
  });

  it("E18 ORION_STARTED without an orion", () => {
    const h = foldHarness();
    h.feed({ type: "ORION_STARTED", orionId: "o1" });
    expectIgnoredInvalid(h, "wrong-type", "orion", "expected an orion object, got undefined");
    expectFoldIntact(h);
  });
});

describe("event stream: prototype-pollution keys", () => {
  it("E19 __proto__, constructor and hasOwnProperty as task and orion ids", () => {
    const h = foldHarness();
    const ids = ["__proto__", "constructor", "hasOwnProperty", "toString"];
    for (const id of ids) h.feed(taskCompleted(id));
    h.feed(taskCompleted("x", "__proto__"));
    expect(h.last().pending.size).toBe(1 + ids.length + 1);
    for (const id of ids) expect(h.last().pending.get(pendingKey("o1", id))?.taskId).toBe(id);
    h.feed(orionModified(ids));
    h.feed(orionModified(["x"], "__proto__"));
    expect(h.last().stats.completedModifications).toBe(ids.length + 1);
    expect(Object.prototype).not.toHaveProperty("phase");
    expect(({} as Record<string, unknown>)["taskId"]).toBeUndefined();
    expectFoldIntact(h);
  });

  it("E20 a JSON message with an own __proto__ key: an ignored extra field", () => {
    const h = foldHarness();
    h.feed(
      JSON.parse(
        '{"type":"TASK_COMPLETED","orionId":"o1","taskId":"y","__proto__":{"taskId":"z","polluted":1}}',
      ),
    );
    expect(h.last().last).toMatchObject({ kind: "registered", entry: { taskId: "y" } });
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
    h.feed(JSON.parse('{"type":"TASK_COMPLETED","orionId":"o1","__proto__":{"taskId":"z"}}'));
    expect(h.last().last).toMatchObject({ error: { reason: "missing-field", path: "taskId" } });
    expectFoldIntact(h, 1);
  });
});

describe("event stream: values that throw when read", () => {
  it("E21 a getter that throws, a proxy that throws on every trap, a revoked proxy", () => {
    const h = foldHarness();
    h.feed({
      get type(): string {
        throw new TypeError("boom");
      },
    });
    expectIgnoredInvalid(h, "unreadable", "", "reading it threw TypeError: boom");
    const trap = (): never => {
      throw new Error("trap");
    };
    h.feed(
      new Proxy(
        {},
        {
          get: trap,
          has: trap,
          ownKeys: trap,
          getOwnPropertyDescriptor: trap,
          getPrototypeOf: trap,
        },
      ),
    );
    const revocable = Proxy.revocable({ ...taskCompleted("y") }, {});
    revocable.revoke();
    h.feed(revocable.proxy);
    expect(h.error()).toBeUndefined();
    expect(h.last().stats.invalidEvents).toBe(3);
    expect(h.last().last).toMatchObject({ error: { reason: "unreadable" } });
    expectFoldIntact(h);
  });

  it("E22 a getter that would throw when read again: read once, and what was checked is applied", () => {
    const h = foldHarness();
    let reads = 0;
    h.feed({
      ...completed,
      get taskId(): string {
        if (reads++ > 0) throw new Error("read twice");
        return "y";
      },
    });
    expect(reads).toBe(1);
    expect(h.error()).toBeUndefined();
    expect(h.last().last).toMatchObject({ kind: "registered", entry: { taskId: "y" } });
    expectFoldIntact(h, 1);
  });

  it("E23 a valid event whose prototype is a throwing proxy: registered, the fold unharmed", () => {
    const h = foldHarness();
    const trap = (): never => {
      throw new Error("prototype trap");
    };
    const proto = new Proxy({}, { get: trap, has: trap, getPrototypeOf: trap });
    h.feed(Object.create(proto, Object.getOwnPropertyDescriptors(taskCompleted("y"))));
    expect(h.error()).toBeUndefined();
    expect(h.last().last).toMatchObject({ kind: "registered", entry: { taskId: "y" } });
    expectFoldIntact(h, 1);
  });
});

describe("event stream: huge events", () => {
  it("E24 a 10 MB event: a 10 MB result string, and a 10 MB task id", () => {
    const h = foldHarness();
    const big = "r".repeat(10 * 1024 * 1024);
    h.feed({ ...taskCompleted("y"), result: big });
    expect(h.last().last).toMatchObject({ kind: "registered", entry: { taskId: "y" } });
    h.feed(taskCompleted(big));
    expect(h.last().pending.get(pendingKey("o1", big))?.taskId.length).toBe(big.length);
    h.feed(orionModified(["y", big]));
    expect(h.last().stats.completedModifications).toBe(2);
    expectFoldIntact(h);
  });

  it("E25 100 000 onTaskIds nobody registered, and a result nested 100 000 levels deep", () => {
    const h = foldHarness();
    const ids = Array.from({ length: 100_000 }, (_, i) => `t${i}`);
    h.feed(orionModified(ids));
    expect(h.last().stats.unmatchedModifications).toBe(ids.length);
    expect(h.last().anticipatedCount).toBe(ids.length);
    let deep: unknown = null;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    h.feed({ ...taskCompleted("t0"), result: deep });
    expect(h.last().last).toMatchObject({ kind: "completed", trigger: "TASK_COMPLETED" });
    expectFoldIntact(h);
    // The remaining anticipations expire together, on one timer.
    h.time.advance(TIMEOUT);
    expect(h.last().anticipatedCount).toBe(0);
    expect(h.last().last).toMatchObject({ kind: "timed-out", entries: [] });
    expect(h.error()).toBeUndefined();
  });
});
