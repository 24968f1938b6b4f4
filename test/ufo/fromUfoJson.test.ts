import { describe, expect, it } from "vitest";
import { getReadyTasks, validateOrion, type TaskOrion } from "../../src/orion/index.js";
import { fromUfoJson, UfoFormatError } from "../../src/ufo/index.js";
import { fixture, fixtureNames } from "./fixtures.js";

/** A minimal UFO document with the given tasks and dependencies fields. */
const doc = (tasks: unknown, dependencies: unknown = {}, more: object = {}) => ({
  constellation_id: "c1",
  name: "n",
  state: "created",
  tasks,
  dependencies,
  ...more,
});

const formatError = (value: unknown): UfoFormatError => {
  try {
    fromUfoJson(value);
  } catch (error) {
    if (error instanceof UfoFormatError) return error;
    throw error;
  }
  throw new Error("read without error");
};

describe("fromUfoJson on UFO's own files", () => {
  it("reads all four fixtures", () => {
    expect(fixtureNames).toEqual([
      "auto_id_constellation.json",
      "dict_format_example.json",
      "example_constellation.json",
      "list_format_example.json",
    ]);
    for (const name of fixtureNames) expect(() => fromUfoJson(fixture(name))).not.toThrow();
  });

  it("reads example_constellation.json into the model, exactly", () => {
    const o = fromUfoJson(fixture("example_constellation.json"));
    const stamp = "2025-09-29T06:58:36.713140+00:00";
    const task = (id: string, name: string, description: string, priority: number) => ({
      id,
      name,
      description,
      status: "pending",
      priority,
      deviceType: "linux",
      params: {},
      extra: { created_at: stamp, updated_at: stamp },
    });
    const edge = (id: string, from: string, to: string, type: string) => ({
      id,
      fromTaskId: from,
      toTaskId: to,
      type,
      extra: { created_at: stamp, updated_at: stamp },
    });
    expect(o).toEqual({
      id: "example_constellation",
      name: "示例任务星座",
      state: "created",
      tasks: {
        task_001: task("task_001", "数据提取", "从源系统提取数据", 3),
        task_002: task("task_002", "数据处理", "处理提取的数据", 2),
        task_003: task("task_003", "结果验证", "验证处理结果", 1),
      },
      dependencies: {
        "fa37dc62-d6db-4888-ad5d-c9eb0fb3556f": edge(
          "fa37dc62-d6db-4888-ad5d-c9eb0fb3556f",
          "task_001",
          "task_002",
          "success_only",
        ),
        "00b31a61-3b25-4c07-b33d-769cb8d75e02": edge(
          "00b31a61-3b25-4c07-b33d-769cb8d75e02",
          "task_002",
          "task_003",
          "unconditional",
        ),
      },
      extra: { created_at: "2025-09-29T06:58:36.712112+00:00", updated_at: stamp },
    });
    expect(validateOrion(o)).toEqual({ ok: true });
    expect(getReadyTasks(o).map((t) => t.id)).toEqual(["task_001"]);
  });

  it("reads the dict and list layouts of the same constellation to the same orion", () => {
    const dict = fromUfoJson(fixture("dict_format_example.json"));
    const list = fromUfoJson(fixture("list_format_example.json"));
    expect(list).toEqual(dict);
    expect(Object.keys(list.tasks)).toEqual(["task_2a93f3e6", "task_3348fc90", "task_348512fa"]);
    expect(Object.keys(list.dependencies)).toEqual(["line_11f3b61f", "line_7c18df81"]);
  });

  it("reads the layouts' dangling edges, and validateOrion says exactly what is wrong", () => {
    for (const name of ["dict_format_example.json", "list_format_example.json"]) {
      const result = validateOrion(fromUfoJson(fixture(name)));
      expect(result.ok).toBe(false);
      const errors = result.ok ? [] : result.errors;
      expect(
        errors.map((e) => [
          e.kind,
          "dependencyId" in e ? e.dependencyId : "",
          "taskId" in e ? e.taskId : "",
        ]),
      ).toEqual([
        ["missing_task", "line_11f3b61f", "task_001"],
        ["missing_task", "line_11f3b61f", "task_002"],
        ["missing_task", "line_7c18df81", "task_002"],
        ["missing_task", "line_7c18df81", "task_003"],
      ]);
    }
    // The real tasks have no (existing) dependencies, so all are ready, by priority then id.
    expect(
      getReadyTasks(fromUfoJson(fixture("dict_format_example.json"))).map((t) => t.id),
    ).toEqual(["task_2a93f3e6", "task_3348fc90", "task_348512fa"]);
  });

  it("reads auto_id_constellation.json: three independent MEDIUM tasks", () => {
    const o = fromUfoJson(fixture("auto_id_constellation.json"));
    expect(validateOrion(o)).toEqual({ ok: true });
    expect(Object.values(o.tasks).map((t) => [t.priority, t.status, t.extra])).toEqual([
      [2, "pending", undefined],
      [2, "pending", undefined],
      [2, "pending", undefined],
    ]);
    expect(getReadyTasks(o).map((t) => t.id)).toEqual([
      "task_3e02cb82",
      "task_f4930ecd",
      "task_f81bfddf",
    ]);
  });
});

describe("fromUfoJson field by field", () => {
  it("accepts UFO's lower-case values and its examples' upper-case names", () => {
    const lower = fromUfoJson(
      doc(
        { t: { status: "running", priority: 4, device_type: "windows" } },
        {},
        { state: "executing" },
      ),
    );
    const upper = fromUfoJson(
      doc(
        { t: { status: "RUNNING", priority: "CRITICAL", device_type: "WINDOWS" } },
        {},
        { state: "EXECUTING" },
      ),
    );
    expect(upper).toEqual(lower);
    expect(lower.tasks["t"]).toMatchObject({
      status: "running",
      priority: 4,
      deviceType: "windows",
    });
    expect(lower.state).toBe("executing");
    const types = ["UNCONDITIONAL", "success_only", "COMPLETION_ONLY", "conditional"].map(
      (type) =>
        fromUfoJson(
          doc({}, [{ line_id: "d", from_task_id: "a", to_task_id: "b", dependency_type: type }]),
        ).dependencies["d"]!.type,
    );
    expect(types).toEqual(["unconditional", "success_only", "completion_only", "conditional"]);
  });

  it("uses UFO's defaults for missing fields", () => {
    const o = fromUfoJson({
      constellation_id: "c",
      tasks: [{ task_id: "t" }],
      dependencies: [{ line_id: "d", from_task_id: "t", to_task_id: "t" }],
    });
    expect(o).toEqual({
      id: "c",
      state: "created",
      tasks: { t: { id: "t", name: "", status: "pending", priority: 2, params: {} } },
      dependencies: { d: { id: "d", fromTaskId: "t", toTaskId: "t", type: "unconditional" } },
    });
  });

  it("converts execution timestamps to epoch milliseconds (offsets honoured, naive = UTC)", () => {
    const o = fromUfoJson(
      doc({
        a: {
          execution_start_time: "2025-09-29T06:58:36.713140+00:00",
          execution_end_time: "2025-09-29T08:58:37+02:00",
        },
        b: {
          execution_start_time: "2025-09-29T06:58:36",
          execution_end_time: "2025-09-29T06:58:36.5Z",
        },
      }),
    );
    const base = Date.UTC(2025, 8, 29, 6, 58, 36);
    expect(o.tasks["a"]!.executionStartTime).toBe(base + 713.14);
    expect(o.tasks["a"]!.executionEndTime).toBe(base + 1000);
    expect(o.tasks["b"]!.executionStartTime).toBe(base);
    expect(o.tasks["b"]!.executionEndTime).toBe(base + 500);
  });

  it("keeps unknown and non-default UFO fields in extra, and ignores derived ones", () => {
    const o = fromUfoJson(
      doc(
        {
          t: {
            tips: ["be careful"],
            retry_count: 3,
            timeout: 30,
            future_field: { x: 1 },
            dependencies: ["not", "used"],
            dependents: "not even a list",
            execution_duration: 5,
          },
        },
        {
          d: {
            from_task_id: "t",
            to_task_id: "t",
            is_satisfied: "whatever",
            metadata: { w: 1 },
            condition_description: "if ok",
          },
        },
        { enable_visualization: false, metadata: { owner: "me" } },
      ),
    );
    expect(o.tasks["t"]!.extra).toEqual({
      tips: ["be careful"],
      retry_count: 3,
      timeout: 30,
      future_field: { x: 1 },
    });
    expect(o.dependencies["d"]).toEqual({
      id: "d",
      fromTaskId: "t",
      toTaskId: "t",
      type: "unconditional",
      condition: "if ok",
      extra: { metadata: { w: 1 } },
    });
    expect(o.extra).toEqual({ enable_visualization: false });
    expect(o.metadata).toEqual({ owner: "me" });
  });

  it("keeps a dict key that differs from its task_id, for validateOrion to report", () => {
    const o = fromUfoJson(doc({ key: { task_id: "other" } }));
    expect(o.tasks["key"]!.id).toBe("other");
    expect(validateOrion(o)).toMatchObject({
      ok: false,
      errors: [{ kind: "key_mismatch", key: "key", id: "other" }],
    });
  });

  it("reads __proto__ and other Object.prototype names as plain ids, polluting nothing", () => {
    const text =
      '{"constellation_id":"c","tasks":{"__proto__":{"task_id":"__proto__","task_data":{"__proto__":{"polluted":true}}},' +
      '"constructor":{"task_id":"constructor"}},"dependencies":[{"line_id":"__proto__","from_task_id":"__proto__","to_task_id":"constructor"}],' +
      '"metadata":{"__proto__":{"polluted":true}}}';
    const o: TaskOrion = fromUfoJson(JSON.parse(text));
    expect(Object.keys(o.tasks)).toEqual(["__proto__", "constructor"]);
    expect(Object.hasOwn(o.tasks, "__proto__")).toBe(true);
    expect(Object.keys(o.tasks["__proto__"]!.params)).toEqual(["__proto__"]);
    expect(Object.hasOwn(o.dependencies, "__proto__")).toBe(true);
    expect(validateOrion(o)).toEqual({ ok: true });
    expect(getReadyTasks(o).map((t) => t.id)).toEqual(["__proto__"]);
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    expect((o.metadata as { polluted?: unknown }).polluted).toBeUndefined();
  });
});

describe("fromUfoJson errors", () => {
  it.each([
    ["not an object", 42, "$", "expected an object, got 42"],
    ["an array", [], "$", "expected an object, got an array"],
    ["no id", { tasks: {} }, "constellation_id", "expected a string, got undefined"],
    ["a bad state", doc({}, {}, { state: "DONE" }), "state", 'expected one of "created", '],
    [
      "a bad status in a list",
      doc([{ task_id: "a" }, { task_id: "b" }, { task_id: "c", status: "DONE" }]),
      "tasks[2].status",
      'expected one of "pending", "waiting_dependency", "running", "completed", "failed", "cancelled" (or its upper-case name), got "DONE"',
    ],
    ["a bad status in a dict", doc({ task_001: { status: 3 } }), "tasks.task_001.status", "got 3"],
    [
      "an odd key",
      doc({ "a b": { priority: 5 } }),
      'tasks["a b"].priority',
      'expected a priority 1-4 or one of "LOW", "MEDIUM", "HIGH", "CRITICAL", got 5',
    ],
    [
      "a mixed-case priority name",
      doc({ t: { priority: "High" } }),
      "tasks.t.priority",
      'got "High"',
    ],
    ["a task that is not an object", doc({ t: "x" }), "tasks.t", 'expected an object, got "x"'],
    ["tasks as a string", doc("x"), "tasks", "expected an object keyed by id or an array"],
    [
      "a missing list id",
      doc([{ name: "no id" }]),
      "tasks[0].task_id",
      "expected a string, got undefined",
    ],
    [
      "a duplicate list id",
      doc([{ task_id: "a" }, { task_id: "a" }]),
      "tasks[1].task_id",
      'duplicate id "a" (also tasks[0])',
    ],
    [
      "a bad edge end",
      doc({}, [{ line_id: "d", from_task_id: 1, to_task_id: "b" }]),
      "dependencies[0].from_task_id",
      "expected a string, got 1",
    ],
    [
      "a bad edge type",
      doc({}, { d: { from_task_id: "a", to_task_id: "b", dependency_type: "maybe" } }),
      "dependencies.d.dependency_type",
      'got "maybe"',
    ],
    [
      "a bad timestamp",
      doc({ t: { execution_start_time: "yesterday" } }),
      "tasks.t.execution_start_time",
      'expected an ISO 8601 timestamp or null, got "yesterday"',
    ],
    [
      "an impossible date",
      doc({ t: { created_at: "2025-02-30T00:00:00" } }),
      "tasks.t.created_at",
      "expected a valid date and time",
    ],
    [
      "a bad retry count",
      doc({ t: { retry_count: -1 } }),
      "tasks.t.retry_count",
      "expected a non-negative integer, got -1",
    ],
    [
      "non-JSON task data",
      doc({ t: { task_data: { when: new Date(0) } } }),
      "tasks.t.task_data.when",
      "expected a JSON value, got a non-plain object",
    ],
    [
      "a NaN result",
      doc({ t: { result: [1, Number.NaN] } }),
      "tasks.t.result[1]",
      "expected a finite number, got NaN",
    ],
    [
      "an undefined value",
      doc({ t: { result: { a: undefined } } }),
      "tasks.t.result.a",
      "expected a JSON value, got undefined",
    ],
    [
      "a bad metadata",
      doc({}, {}, { metadata: [1] }),
      "metadata",
      "expected an object, got an array",
    ],
  ])("names the path of %s", (_label, value, path, detail) => {
    const error = formatError(value);
    expect(error.name).toBe("UfoFormatError");
    expect(error.path).toBe(path);
    expect(error.message).toContain(`${path}: `);
    expect(error.detail).toContain(detail);
  });

  it("rejects circular and absurdly deep values instead of overflowing", () => {
    const circular: { self?: unknown } = {};
    circular.self = circular;
    expect(formatError(doc({ t: { result: circular } })).path).toBe("tasks.t.result.self");
    let deep: unknown = 1;
    for (let i = 0; i < 10_000; i++) deep = [deep];
    expect(formatError(doc({ t: { result: deep } })).detail).toContain(
      "nested more than 200 levels deep",
    );
  });

  it("wraps anything unexpected (a throwing getter, a revoked proxy) in a UfoFormatError", () => {
    const getter = doc({});
    Object.defineProperty(getter, "tasks", {
      enumerable: true,
      get: () => {
        throw new TypeError("nope");
      },
    });
    const error = formatError(getter);
    expect(error).toMatchObject({ path: "$", detail: "unreadable input (nope)" });
    expect(error.cause).toBeInstanceOf(TypeError);
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(formatError(doc(proxy)).name).toBe("UfoFormatError");
  });
});
