import { describe, expect, it } from "vitest";
import { InvalidEventError, parseOrionEvent } from "../../src/events.js";
import { immer } from "../../src/immer.js";
import {
  deriveOrion,
  derivationStep,
  isBuilt,
  taskIn,
} from "../../src/orion/internal/derivedOrion.js";
import { agentOrionChange, noteOrionChange } from "../../src/orion/internal/orionChanges.js";
import { orion } from "../../src/orion/orion.js";
import { createOrionRun } from "../../src/orion/OrionRun.js";
import { freezeNewRecord } from "../../src/orion/internal/recordFacts.js";
import type { Task, TaskOrion } from "../../src/orion/types.js";
import { markDependents } from "../../src/simulation/simulate.js";
import { collectGarbage } from "../support/collectGarbage.js";

/**
 * An orion of tasks a → b → c, d and e whose records the library froze, as `simulate` starts
 * from (a record frozen by anyone else is copied at the first derivation: it may hold getters).
 */
function plan(): TaskOrion {
  const built = orion("o")
    .task("e")
    .task("a")
    .task("b")
    .task("c")
    .task("d")
    .dependency("a", "b")
    .dependency("b", "c")
    .build();
  return {
    ...built,
    tasks: freezeNewRecord({ ...built.tasks }),
    dependencies: freezeNewRecord({ ...built.dependencies }),
  };
}

/** `from` with task `id`'s params set to `{ n }`, derived, and noted for the merge. */
function mark(from: TaskOrion, id: string, n: number): TaskOrion {
  const task = taskIn(from, id)!;
  const next = deriveOrion(from, new Map([[id, { ...task, params: { n } }]]));
  noteOrionChange(next, from, { tasks: [id] });
  return next;
}

/** The same orion as `mark` gives, built eagerly as a plain copy. */
function markedEagerly(from: TaskOrion, id: string, n: number): TaskOrion {
  return { ...from, tasks: { ...from.tasks, [id]: { ...from.tasks[id]!, params: { n } } } };
}

const started = (o: TaskOrion) => ({ type: "ORION_STARTED", orionId: o.id, orion: o });
const answer = (o: TaskOrion) => ({
  type: "ORION_MODIFIED",
  orionId: o.id,
  onTaskIds: ["a"],
  newOrion: o,
});

describe("deriveOrion", () => {
  it("builds its task record only when read: the root's keys in order, frozen, built once", () => {
    const o0 = plan();
    const o2 = mark(mark(o0, "b", 1), "d", 2);
    expect(isBuilt(o2)).toBe(false);
    expect(taskIn(o2, "b")?.params).toEqual({ n: 1 });
    expect(taskIn(o2, "e")).toBe(o0.tasks["e"]);
    expect(isBuilt(o2)).toBe(false);

    const tasks = o2.tasks;
    expect(isBuilt(o2)).toBe(true);
    expect(Object.keys(tasks)).toEqual(["e", "a", "b", "c", "d"]);
    expect(tasks).toEqual(markedEagerly(markedEagerly(o0, "b", 1), "d", 2).tasks);
    expect(Object.isFrozen(tasks)).toBe(true);
    expect(o2.tasks).toBe(tasks);
  });

  it("reads like a plain orion: spread, JSON, structuredClone and immer see the same data", () => {
    const o0 = plan();
    const derived = mark(o0, "c", 3);
    const eager = markedEagerly(o0, "c", 3);
    expect(Object.keys(derived)).toEqual(Object.keys(eager));
    expect(JSON.stringify(derived)).toBe(JSON.stringify(eager));
    expect(structuredClone(derived)).toEqual(structuredClone(eager));
    expect({ ...derived }).toEqual(eager);
    const edited = immer.produce(derived, (draft) => {
      draft.tasks["a"]!.params = { edited: true };
    });
    expect(edited.tasks["a"]?.params).toEqual({ edited: true });
    expect(edited.tasks["c"]?.params).toEqual({ n: 3 });
    expect(derived.tasks["a"]?.params).toEqual({});
  });

  it("keeps each version as it was when later ones are derived and read first", () => {
    const o1 = mark(plan(), "a", 1);
    const o2 = mark(o1, "a", 2);
    const o3 = mark(o2, "b", 3);
    expect(o3.tasks["a"]?.params).toEqual({ n: 2 });
    expect(o1.tasks["a"]?.params).toEqual({ n: 1 });
    expect(o1.tasks["b"]?.params).toEqual({});
    expect(taskIn(o2, "b")?.params).toEqual({});
    expect(o2.tasks["a"]?.params).toEqual({ n: 2 });
  });

  it("does not change when the caller later edits the record it was derived from", () => {
    const built = orion("o").task("a").task("b").dependency("a", "b").build();
    const record = { ...built.tasks } as Record<string, Task>;
    const mine: TaskOrion = { ...built, tasks: record };
    const next = markDependents(
      { type: "TASK_COMPLETED", orionId: "o", taskId: "a", result: null },
      mine,
    )!;
    record["b"] = { ...record["b"]!, params: { overwritten: true } };
    expect(next.tasks["b"]?.params).toEqual({ after_a: true });
  });

  it("refuses to add a task: every replaced id must be one of the orion's", () => {
    const o0 = plan();
    const stranger = { ...o0.tasks["a"]!, id: "z" };
    expect(() => deriveOrion(o0, new Map([["z", stranger]]))).toThrow(/"z" is not a task of o/);
  });

  it("refuses a task that is not an object", () => {
    expect(() => deriveOrion(plan(), new Map([["a", null as unknown as Task]]))).toThrow(TypeError);
  });
});

describe("parseOrionEvent on derived orions", () => {
  it("checks a chain of answers by what each replaced, building no record", () => {
    const o0 = plan();
    expect(parseOrionEvent(started(o0))).not.toBeInstanceOf(InvalidEventError);
    const o1 = mark(o0, "b", 1);
    const o2 = mark(o1, "c", 2);
    expect(parseOrionEvent(answer(o1))).not.toBeInstanceOf(InvalidEventError);
    expect(parseOrionEvent(answer(o2))).not.toBeInstanceOf(InvalidEventError);
    expect(isBuilt(o1)).toBe(false);
    expect(isBuilt(o2)).toBe(false);
    // The step has served: the newest answer no longer holds the one before it.
    expect(derivationStep(o2)?.parent).toBeUndefined();
  });

  it("walks the whole record of an answer derived from an orion never checked", () => {
    const unchecked = mark(plan(), "a", 1);
    const o2 = mark(unchecked, "b", 2);
    expect(parseOrionEvent(answer(o2))).not.toBeInstanceOf(InvalidEventError);
    expect(isBuilt(o2)).toBe(true);
  });

  it("lets every answer but the newest be collected once checked and merged", async () => {
    const { first, last } = (() => {
      const o0 = plan();
      parseOrionEvent(started(o0));
      // What the orchestrator does with each answer (it cuts the merge's notes behind it).
      const run = createOrionRun(o0);
      let merged = o0;
      const take = (next: TaskOrion): void => {
        parseOrionEvent(answer(next));
        run.applyAgentOrion(next, agentOrionChange(next, merged));
        merged = next;
      };
      let at = mark(o0, "a", 0);
      const firstAnswer = new WeakRef(at);
      for (let n = 1; n <= 20; n++) {
        take(at);
        at = mark(at, n % 2 === 0 ? "a" : "b", n);
      }
      take(at);
      return { first: firstAnswer, last: at };
    })();
    await collectGarbage();
    expect(first.deref()).toBeUndefined();
    expect(last.tasks["a"]?.params).toEqual({ n: 20 });
    expect(last.tasks["b"]?.params).toEqual({ n: 19 });
  });
});

describe("what a derived orion keeps alive", () => {
  it("keeps, once built and checked, no record of the orions it came from", async () => {
    const { rootRecord, built } = (() => {
      const o0 = plan();
      parseOrionEvent(started(o0));
      const a = taskIn(o0, "a")!;
      const o1 = deriveOrion(o0, new Map([["a", { ...a, params: { n: 1 } }]]));
      parseOrionEvent(answer(o1));
      expect(o1.tasks["a"]?.params).toEqual({ n: 1 });
      return { rootRecord: new WeakRef(o0.tasks), built: o1 };
    })();
    await collectGarbage();
    expect(rootRecord.deref()).toBeUndefined();
    expect(Object.keys(built.tasks)).toEqual(["e", "a", "b", "c", "d"]);
  });
});

describe("OrionRun.applyAgentOrion with a derived orion", () => {
  it("merges it by its noted change, and snapshots, without building its record", () => {
    const o0 = plan();
    const run = createOrionRun(o0);
    const o1 = mark(o0, "c", 1);
    const report = run.applyAgentOrion(o1, agentOrionChange(o1, o0));
    expect(report.conflicts).toEqual([]);
    expect(run.task("c")?.params).toEqual({ n: 1 });
    const snapshot = run.snapshot();
    expect(isBuilt(o1)).toBe(false);
    expect(Object.keys(snapshot)).toEqual(Object.keys(o0));
    expect(Object.keys(snapshot.tasks)).toEqual(["e", "a", "b", "c", "d"]);
    expect(snapshot.tasks["c"]?.params).toEqual({ n: 1 });
  });
});
