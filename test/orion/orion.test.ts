import { describe, expect, it } from "vitest";
import { orion } from "../../src/orion/index.js";

describe("the orion builder", () => {
  it("builds tasks with defaults and success_only edges from `after`", () => {
    const o = orion("o1", { name: "Plan", metadata: { owner: "me" } })
      .task("a", { priority: 3, params: { q: 1 } })
      .task("b", { after: "a" })
      .task("c", { after: ["a", "b"], dependencyType: "completion_only", status: "running" })
      .build();
    expect(o).toEqual({
      id: "o1",
      name: "Plan",
      metadata: { owner: "me" },
      state: "executing",
      tasks: {
        a: { id: "a", name: "a", status: "pending", priority: 3, params: { q: 1 } },
        b: { id: "b", name: "b", status: "pending", params: {} },
        c: { id: "c", name: "c", status: "running", params: {} },
      },
      dependencies: {
        "a->b": { id: "a->b", fromTaskId: "a", toTaskId: "b", type: "success_only" },
        "a->c": { id: "a->c", fromTaskId: "a", toTaskId: "c", type: "completion_only" },
        "b->c": { id: "b->c", fromTaskId: "b", toTaskId: "c", type: "completion_only" },
      },
    });
  });

  it("is immutable: a partly built orion can be extended twice", () => {
    const base = orion("o").task("a");
    const one = base.task("b").build();
    const two = base.dependency("a", "a", { id: "self" }).build();
    expect(Object.keys(one.tasks)).toEqual(["a", "b"]);
    expect(Object.keys(two.tasks)).toEqual(["a"]);
    expect(Object.keys(two.dependencies)).toEqual(["self"]);
    expect(base.build().dependencies).toEqual({});
  });

  it("stores any id safely, __proto__ included", () => {
    const o = orion("o").task("__proto__").task("constructor", { after: "__proto__" }).build();
    expect(Object.keys(o.tasks)).toEqual(["__proto__", "constructor"]);
    expect(o.tasks["__proto__"]!.id).toBe("__proto__");
    expect(Object.getPrototypeOf(o.tasks)).toBeNull();
  });

  it("builds a 5,000-task chain", () => {
    let builder = orion("long");
    for (let i = 0; i < 5_000; i++)
      builder = builder.task(`t${i}`, i === 0 ? {} : { after: `t${i - 1}` });
    const o = builder.build();
    expect(Object.keys(o.tasks)).toHaveLength(5_000);
    expect(Object.keys(o.dependencies)).toHaveLength(4_999);
  });
});
