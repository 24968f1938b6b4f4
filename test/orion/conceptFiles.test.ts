/**
 * What moving the status, state and dependency rules into one file per concept must not change
 * (issue 19): the lists keep their public types, and a dependency is read no earlier than
 * before (found by a review that compared the code before and after the move).
 */
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  dependencyTypes,
  getBlockedTasks,
  getReadyTasks,
  isDependencySatisfied,
  orionStates,
  taskStatuses,
  type Dependency,
  type DependencyType,
  type OrionState,
  type Task,
  type TaskOrion,
  type TaskStatus,
} from "../../src/index.js";

const task = (id: string, status: TaskStatus): Task => ({
  id,
  name: id,
  status,
  priority: 0,
  params: {},
});

describe("the concept files", () => {
  it("keep the lists' types: arrays of the union, not tuples", () => {
    expectTypeOf(taskStatuses).toEqualTypeOf<readonly TaskStatus[]>();
    expectTypeOf(orionStates).toEqualTypeOf<readonly OrionState[]>();
    expectTypeOf(dependencyTypes).toEqualTypeOf<readonly DependencyType[]>();
    expect(Object.isFrozen(taskStatuses) && taskStatuses.length).toBe(6);
  });

  it("read nothing of a dependency while its source has not finished", () => {
    const reads: string[] = [];
    const hostile = new Proxy({} as Dependency, {
      get: (_, key) => {
        reads.push(String(key));
        throw new Error(`read ${String(key)}`);
      },
    });
    expect(isDependencySatisfied(hostile, task("a", "running"))).toBe(false);
    expect(isDependencySatisfied(null as unknown as Dependency, task("a", "pending"))).toBe(false);
    expect(reads).toEqual([]);
  });

  it("read a dependency's id only for a conditional edge whose source has finished", () => {
    const edge = {
      fromTaskId: "a",
      toTaskId: "b",
      type: "unconditional",
      get id(): string {
        throw new Error("id read");
      },
    } as Dependency;
    const orion: TaskOrion = {
      id: "o",
      state: "executing",
      tasks: { a: task("a", "completed"), b: task("b", "pending") },
      dependencies: { d1: edge },
    };
    expect(isDependencySatisfied(edge, orion.tasks["a"])).toBe(true);
    expect(getReadyTasks(orion).map((t) => t.id)).toEqual(["b"]);
    expect(getBlockedTasks(orion)).toEqual([]);
  });
});
