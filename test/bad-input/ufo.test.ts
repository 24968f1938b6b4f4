/**
 * Bad UFO TaskConstellation JSON into `fromUfoJson`: a `UfoFormatError` naming the JSON path,
 * never another error; the input is not modified and `Object.prototype` is not polluted.
 * Rows U1-U14 of docs/bad-input.md.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { validateOrion } from "../../src/orion/validateOrion.js";
import { fromUfoJson, UfoFormatError } from "../../src/ufo/index.js";
import { runs } from "../properties/runs.js";
import { fixture } from "../ufo/fixtures.js";
import { hostile } from "./hostile.js";

/** A small valid constellation: t1 -> t2. */
function doc(): Record<string, unknown> {
  return {
    constellation_id: "c1",
    state: "CREATED",
    tasks: {
      t1: { task_id: "t1", name: "one", status: "PENDING", priority: "HIGH" },
      t2: { task_id: "t2", name: "two", status: "pending", priority: 2 },
    },
    dependencies: {
      d1: { line_id: "d1", from_task_id: "t1", to_task_id: "t2", dependency_type: "SUCCESS_ONLY" },
    },
  };
}

/** Asserts fromUfoJson rejects `value` with a UfoFormatError at `path`, leaving it unchanged. */
function expectRejected(value: unknown, path: string | RegExp, detail: string): UfoFormatError {
  const before = snapshot(value);
  let error: unknown;
  try {
    fromUfoJson(value);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(UfoFormatError);
  const e = error as UfoFormatError;
  if (typeof path === "string") expect(e.path).toBe(path);
  else expect(e.path).toMatch(path);
  expect(e.message).toBe(`${e.path}: ${e.detail}`);
  expect(e.detail).toContain(detail);
  expect(snapshot(value)).toBe(before);
  expect(fromUfoJson(doc()).tasks["t1"]?.priority).toBe(3); // the next document reads fine
  return e;
}

/** JSON text of `value` where JSON can hold it (else a marker): to see it was not modified. */
function snapshot(value: unknown): string {
  try {
    return JSON.stringify(value, (_, v: unknown) => (typeof v === "bigint" ? `${v}n` : v));
  } catch {
    return "(not JSON)";
  }
}

/** Calls fromUfoJson; anything thrown but a UfoFormatError fails (without formatting `value`). */
function readsOrRejects(value: unknown, hostileInput = false): void {
  let thrown: unknown = null;
  try {
    fromUfoJson(value);
  } catch (error) {
    thrown = error;
  }
  if (thrown !== null) {
    expect(thrown instanceof UfoFormatError, "only UfoFormatError").toBe(true);
    const e = thrown as UfoFormatError;
    expect(e.message.startsWith(`${e.path}: `)).toBe(true);
    // "unreadable input" is the catch-all for a throw while reading: plain JSON never gets it,
    // so an internal error the catch-all would hide fails here.
    if (!hostileInput) expect(e.detail).not.toMatch(/^unreadable input/);
  }
}

function set(d: Record<string, unknown>, path: readonly string[], value: unknown): typeof d {
  let node = d;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  node[path[path.length - 1]!] = value;
  return d;
}

describe("fromUfoJson: wrong enum strings and values", () => {
  it("U1 a task status UFO does not have", () => {
    expectRejected(
      set(doc(), ["tasks", "t1", "status"], "DONE"),
      "tasks.t1.status",
      'expected one of "pending", "waiting_dependency", "running"',
    );
    expectRejected(
      set(doc(), ["tasks", "t1", "status"], "Pending"),
      "tasks.t1.status",
      '"Pending"',
    );
  });

  it("U2 a dependency type UFO does not have", () => {
    expectRejected(
      set(doc(), ["dependencies", "d1", "dependency_type"], "ALWAYS"),
      "dependencies.d1.dependency_type",
      'got "ALWAYS"',
    );
  });

  it("U3 an orion state UFO does not have", () => {
    expectRejected(set(doc(), ["state"], "RUNNING"), "state", 'got "RUNNING"');
  });

  it("U4 a priority out of range or misspelt", () => {
    expectRejected(set(doc(), ["tasks", "t1", "priority"], 7), "tasks.t1.priority", "got 7");
    expectRejected(
      set(doc(), ["tasks", "t1", "priority"], "URGENT"),
      "tasks.t1.priority",
      "URGENT",
    );
    expectRejected(set(doc(), ["tasks", "t1", "priority"], 2.5), "tasks.t1.priority", "2.5");
  });

  it("U5 a malformed timestamp and a non-string id", () => {
    expectRejected(
      set(doc(), ["tasks", "t1", "execution_start_time"], "yesterday"),
      "tasks.t1.execution_start_time",
      "yesterday",
    );
    expectRejected(set(doc(), ["constellation_id"], 42), "constellation_id", "expected a string");
    expectRejected(set(doc(), ["tasks", "t1"], null), "tasks.t1", "expected an object, got null");
  });

  it("U6 duplicate ids in the list layout", () => {
    const listed = { ...doc(), tasks: [{ task_id: "a" }, { task_id: "a" }] };
    expectRejected(listed, "tasks[1].task_id", 'duplicate id "a" (also tasks[0])');
  });
});

describe("fromUfoJson: prototype-pollution keys", () => {
  it("U7 __proto__ and constructor as task ids: own keys, a valid orion, nothing polluted", () => {
    const text =
      '{"constellation_id":"c1","tasks":{"__proto__":{"name":"p"},"constructor":{"name":"c"}},' +
      '"dependencies":{"d":{"from_task_id":"__proto__","to_task_id":"constructor"}}}';
    const o = fromUfoJson(JSON.parse(text));
    expect(Object.keys(o.tasks)).toEqual(["__proto__", "constructor"]);
    expect(Object.getPrototypeOf(o.tasks)).toBeNull();
    expect(o.tasks["__proto__"]?.name).toBe("p");
    expect(validateOrion(o)).toEqual({ ok: true });
    expect(({} as Record<string, unknown>)["name"]).toBeUndefined();
  });

  it("U8 a __proto__ key inside task_data: copied as an own key, nothing polluted", () => {
    const text =
      '{"constellation_id":"c1","tasks":{"t":{"task_data":{"__proto__":{"polluted":true},"k":1}}}}';
    const params = fromUfoJson(JSON.parse(text)).tasks["t"]?.params;
    expect(Object.keys(params ?? {})).toEqual(["__proto__", "k"]);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
    expect((params as Record<string, unknown>)["polluted"]).toBeUndefined();
  });
});

describe("fromUfoJson: values JSON cannot hold", () => {
  it("U9 NaN, undefined, a function, a Date, a bigint in task_data", () => {
    const t = ["tasks", "t1", "task_data"];
    expectRejected(set(doc(), t, { n: Number.NaN }), "tasks.t1.task_data.n", "finite number");
    expectRejected(set(doc(), t, { u: undefined }), "tasks.t1.task_data.u", "JSON value");
    expectRejected(set(doc(), t, { f: () => 1 }), "tasks.t1.task_data.f", "JSON value");
    expectRejected(set(doc(), t, { d: new Date(0) }), "tasks.t1.task_data.d", "non-plain object");
    expectRejected(set(doc(), t, { b: 1n }), "tasks.t1.task_data.b", "JSON value");
  });

  it("U10 a circular reference, and nesting 100 000 levels deep", () => {
    const data: Record<string, unknown> = {};
    data["self"] = data;
    expectRejected(
      set(doc(), ["tasks", "t1", "task_data"], data),
      "tasks.t1.task_data.self",
      "circular reference",
    );
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = { d: deep };
    const error = expectRejected(
      set(doc(), ["tasks", "t1", "task_data"], deep),
      /^tasks\.t1\.task_data(\.d)+$/,
      "nested more than 200 levels deep",
    );
    expect(error.path.length).toBeLessThan(1000);
  });

  it("U11 a 10 MB description: read as it is", () => {
    const big = "d".repeat(10 * 1024 * 1024);
    const o = fromUfoJson(set(doc(), ["tasks", "t1", "description"], big));
    expect(o.tasks["t1"]?.description?.length).toBe(big.length);
    expect(o.tasks["t2"]?.name).toBe("two");
  });
});

describe("fromUfoJson fuzzed", () => {
  it("U12 arbitrary JSON (fc.jsonValue), bare and as a constellation's fields", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), (value) => readsOrRejects(value)),
      { numRuns: runs(200) },
    );
    const constellation = fc.record(
      {
        constellation_id: fc.oneof(fc.string(), fc.jsonValue({ maxDepth: 1 })),
        state: fc.oneof(
          fc.constantFrom("CREATED", "created", "DONE"),
          fc.jsonValue({ maxDepth: 1 }),
        ),
        tasks: fc.oneof(
          fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 }),
          fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 4 }),
        ),
        dependencies: fc.jsonValue({ maxDepth: 3 }),
      },
      { requiredKeys: ["constellation_id"] },
    );
    fc.assert(
      fc.property(constellation, (value) => readsOrRejects(value)),
      { numRuns: runs(200) },
    );
  });

  it("U13 UFO's example file with one value replaced by arbitrary JSON", () => {
    const base = fixture("example_constellation.json") as Record<string, unknown>;
    const keys = ["status", "priority", "task_data", "device_type", "execution_start_time", "tips"];
    fc.assert(
      fc.property(fc.constantFrom(...keys), fc.jsonValue({ maxDepth: 3 }), (key, value) => {
        const copy = structuredClone(base);
        (copy["tasks"] as Record<string, Record<string, unknown>>)["task_001"]![key] = value;
        readsOrRejects(copy);
      }),
      { numRuns: runs(200) },
    );
  });

  it("U14 hostile values: throwing getters and proxies (even unprintable throws), deep nesting", () => {
    const base = fc.constant(null).map(() => doc());
    fc.assert(
      fc.property(
        hostile(base, ["constellation_id"], ["constellation_id", "state", "tasks", "dependencies"]),
        ({ value, throws }) => {
          readsOrRejects(value, true);
          if (throws === "root") expect(() => fromUfoJson(value)).toThrow(UfoFormatError);
        },
      ),
      { numRuns: runs(300) },
    );
  });
});
