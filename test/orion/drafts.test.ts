import fc from "fast-check";
import { castDraft, produce } from "immer";
import { describe, expect, it } from "vitest";
import { immer } from "../../src/immer.js";
import {
  completeTask,
  deriveOrionState,
  getBlockedTasks,
  getReadyTasks,
  isComplete,
  mergeOrionStates,
  orion,
  startTask,
  topologicalOrder,
  validateOrion,
  type Dependency,
  type Task,
  type TaskOrion,
} from "../../src/orion/index.js";
import { dagArbitrary, makeOrion, taskWith } from "./support/arbitraries.js";
import { naiveReadyIds } from "./support/reference.js";

// Issue 13, item 8: memos keyed by record identity went stale on immer drafts and on orions
// edited in place, which keep their identity while their edges and tasks change.

const ids = (tasks: readonly { id: string }[]): string[] => tasks.map((t) => t.id);
const edge = (from: string, to: string): Dependency => ({
  id: `${from}->${to}`,
  fromTaskId: from,
  toTaskId: to,
  type: "success_only",
});
type Mutable = {
  tasks: { [id: string]: Task };
  dependencies: { [id: string]: Dependency };
};

/** Every model function that reads the whole orion, as plain comparable data. */
function answers(o: TaskOrion): unknown {
  let order: unknown;
  try {
    order = topologicalOrder(o);
  } catch (error) {
    order = (error as Error).name;
  }
  return {
    ready: ids(getReadyTasks(o)),
    blocked: getBlockedTasks(o).map((b) => [b.task.id, b.reason]),
    order,
    complete: isComplete(o),
    valid: validateOrion(o).ok,
    state: deriveOrionState(o),
  };
}

describe("model functions on immer drafts", () => {
  it("see an edge added inside the recipe (getReadyTasks, topologicalOrder)", () => {
    const base = orion("o").task("a").task("b").build();
    expect(ids(getReadyTasks(base))).toEqual(["a", "b"]);
    const seen: unknown[] = [];
    produce(base, (draft) => {
      seen.push(ids(getReadyTasks(draft)), topologicalOrder(draft));
      draft.dependencies["b->a"] = castDraft(edge("b", "a"));
      seen.push(ids(getReadyTasks(draft)), topologicalOrder(draft));
      draft.tasks["c"] = castDraft(taskWith("c", "pending", 0));
      draft.dependencies["c->b"] = castDraft(edge("c", "b"));
      seen.push(ids(getReadyTasks(draft)), topologicalOrder(draft));
    });
    expect(seen).toEqual([["a", "b"], ["a", "b"], ["b"], ["b", "a"], ["c"], ["c", "b", "a"]]);
  });

  it("see an edge added inside the library's own (non-freezing) producer", () => {
    const base = orion("o").task("a").task("b").build();
    immer.produce(base, (draft) => {
      expect(ids(getReadyTasks(draft))).toEqual(["a", "b"]);
      draft.dependencies["a->b"] = castDraft(edge("a", "b"));
      expect(ids(getReadyTasks(draft))).toEqual(["a"]);
      expect(topologicalOrder(draft)).toEqual(["a", "b"]);
    });
  });

  it("give the fresh answer after each random edit, for every model function", () => {
    fc.assert(
      fc.property(dagArbitrary(7), fc.nat(), ({ orion: o }, seed) => {
        const keys = Object.keys(o.tasks);
        produce(o, (draft) => {
          answers(draft);
          if (keys.length >= 2) {
            const from = keys[seed % keys.length]!;
            const to = keys[(seed + 1) % keys.length]!;
            draft.dependencies[`${from}->${to}`] = castDraft(edge(from, to));
          }
          draft.tasks["new"] = castDraft(taskWith("new", "pending", seed));
          if (keys.length > 0) draft.dependencies["new->x"] = castDraft(edge("new", keys[0]!));
          expect(answers(draft)).toEqual(answers(JSON.parse(JSON.stringify(draft)) as TaskOrion));
        });
      }),
      { numRuns: 150 },
    );
  });
});

describe("model functions on an orion edited in place", () => {
  it("see an added edge and an added task", () => {
    const o = makeOrion("o", [taskWith("a", "pending", 0), taskWith("b", "pending", 0)], []);
    expect(ids(getReadyTasks(o))).toEqual(["a", "b"]);
    expect(topologicalOrder(o)).toEqual(["a", "b"]);
    const edited = o as unknown as Mutable;
    edited.dependencies["b->a"] = edge("b", "a");
    expect(ids(getReadyTasks(o))).toEqual(["b"]);
    expect(topologicalOrder(o)).toEqual(["b", "a"]);
    edited.tasks["c"] = taskWith("c", "pending", 0);
    edited.dependencies["c->b"] = edge("c", "b");
    expect(ids(getReadyTasks(o))).toEqual(["c"]);
    expect(topologicalOrder(o)).toEqual(["c", "b", "a"]);
  });

  it("see an edge whose type was changed in place", () => {
    const o = makeOrion(
      "o",
      [taskWith("a", "failed", 0), taskWith("b", "pending", 0)],
      [{ ...edge("a", "b"), type: "success_only" }],
    );
    expect(ids(getReadyTasks(o))).toEqual([]);
    (o.dependencies["a->b"] as { type: string }).type = "completion_only";
    expect(ids(getReadyTasks(o))).toEqual(["b"]);
  });

  it("find newly ready dependents through an edge added after the last call", () => {
    const o = makeOrion("o", [taskWith("a", "pending", 0), taskWith("b", "pending", 0)], []);
    const running = startTask(o, "a", 1);
    expect(completeTask(running, "a", { success: true }, 2).newlyReady).toEqual([]);
    (running.dependencies as Mutable["dependencies"])["a->b"] = edge("a", "b");
    expect(ids(completeTask(running, "a", { success: true }, 2).newlyReady)).toEqual(["b"]);
  });

  it("merge against an orchestrator orion whose edges were edited in place", () => {
    const o = makeOrion("o", [taskWith("a", "pending", 0), taskWith("b", "pending", 0)], []);
    const agent = makeOrion("o", [taskWith("a", "pending", 0), taskWith("b", "pending", 0)], []);
    expect(mergeOrionStates(agent, o).report.error).toBeUndefined();
    (agent.dependencies as Mutable["dependencies"])["a->b"] = edge("a", "b");
    (agent.dependencies as Mutable["dependencies"])["b->a"] = edge("b", "a");
    expect(mergeOrionStates(agent, o).report.error).toBeDefined();
  });

  it("give the fresh answer after random in-place edits, for every model function", () => {
    fc.assert(
      fc.property(dagArbitrary(7), fc.nat(), ({ orion: generated }, seed) => {
        const o = JSON.parse(JSON.stringify(generated)) as TaskOrion;
        answers(o);
        const edited = o as unknown as Mutable;
        const keys = Object.keys(o.tasks);
        if (keys.length >= 2) {
          const from = keys[seed % keys.length]!;
          const to = keys[(seed + 3) % keys.length]!;
          edited.dependencies[`${from}->${to}`] = edge(from, to);
        }
        edited.tasks["new"] = taskWith("new", "pending", seed);
        expect(answers(o)).toEqual(answers(JSON.parse(JSON.stringify(o)) as TaskOrion));
        expect(ids(getReadyTasks(o))).toEqual(naiveReadyIds(o));
      }),
      { numRuns: 150 },
    );
  });
});

describe("memoisation of what cannot change", () => {
  it("freezes the records the builder and the transitions make, never the tasks", () => {
    const o = orion("o").task("a").task("b", { after: "a" }).build();
    expect(Object.isFrozen(o.tasks)).toBe(true);
    expect(Object.isFrozen(o.dependencies)).toBe(true);
    expect(Object.isFrozen(o.dependencies["a->b"])).toBe(true);
    expect(Object.isFrozen(o.tasks["a"])).toBe(false);
    const next = startTask(o, "a", 1);
    expect(Object.isFrozen(next.tasks)).toBe(true);
    expect(Object.isFrozen(next.tasks["a"])).toBe(false);
  });

  it("answers frozen orions (Redux Toolkit's auto-frozen state) like fresh copies", () => {
    let state = produce(orion("o").task("a").task("b").build(), () => {});
    expect(ids(getReadyTasks(state))).toEqual(["a", "b"]);
    state = produce(state, (draft) => {
      draft.dependencies["a->b"] = castDraft(edge("a", "b"));
    });
    expect(Object.isFrozen(state.dependencies)).toBe(true);
    expect(ids(getReadyTasks(state))).toEqual(["a"]);
    expect(answers(state)).toEqual(answers(JSON.parse(JSON.stringify(state)) as TaskOrion));
  });
});
