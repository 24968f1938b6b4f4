/**
 * Derived orions (the simulated agent's answers) under an adversarial review: what a reader
 * of an answer sees, and what a long run keeps alive. Each test failed before its fix; the
 * comment on each says what broke.
 */
import { inspect } from "node:util";
import { queryObjects } from "node:v8";
import { describe, expect, it } from "vitest";
import { layeredOrion } from "../../bench/orionRun.js";
import { parseOrionEvent } from "../../src/events.js";
import { PersistentMap } from "../../src/internal/PersistentMap.js";
import { agentOrionChange } from "../../src/orion/internal/orionChanges.js";
import { orion } from "../../src/orion/orion.js";
import { createOrionRun } from "../../src/orion/OrionRun.js";
import type { Task, TaskOrion } from "../../src/orion/types.js";
import { markDependents, simulate } from "../../src/simulation/simulate.js";
import { collectGarbage } from "../support/collectGarbage.js";

const completed = (taskId: string) =>
  ({ type: "TASK_COMPLETED", orionId: "o", taskId, result: null }) as const;

/** A chain t0 → t1 → … → t(n-1), with frozen records (what `simulate` starts from). */
function chain(n: number): TaskOrion {
  let b = orion("o");
  for (let i = 0; i < n; i++) b = b.task(`t${i}`);
  for (let i = 0; i + 1 < n; i++) b = b.dependency(`t${i}`, `t${i + 1}`);
  const built = b.build();
  return {
    ...built,
    tasks: Object.freeze({ ...built.tasks }),
    dependencies: Object.freeze({ ...built.dependencies }),
  };
}

/** What markDependents returned before b2575c8: a plain copy with a data-property record. */
const eagerCopy = (o: TaskOrion): TaskOrion => ({ ...o, tasks: o.tasks });

describe("derived orions, as a reviewer tried to break them", () => {
  // Once, a built record was noted as derived from its root (the newest built ancestor's
  // record), and nothing cut that note: the newest answer kept every earlier built record (a
  // whole task record each) reachable.
  it("an answer whose task record was read does not keep every earlier answer's record alive", async () => {
    const { first, last, alive } = (() => {
      const o0 = chain(40);
      parseOrionEvent({ type: "ORION_STARTED", orionId: "o", orion: o0 });
      const run = createOrionRun(o0);
      let merged = o0;
      const records: WeakRef<object>[] = [];
      for (let i = 0; i < 39; i++) {
        const next = markDependents(completed(`t${i}`), merged)!;
        records.push(new WeakRef(next.tasks)); // a user, a log line or a UI reads the answer
        expect(
          parseOrionEvent({
            type: "ORION_MODIFIED",
            orionId: "o",
            onTaskIds: [`t${i}`],
            newOrion: next,
          }),
        ).not.toBeInstanceOf(Error);
        run.applyAgentOrion(next, agentOrionChange(next, merged));
        merged = next;
      }
      return { first: records[0]!, last: merged, alive: () => records.filter((r) => r.deref()) };
    })();
    await collectGarbage();
    expect(last.tasks["t39"]?.params).toEqual({ after_t38: true });
    expect(first.deref()).toBeUndefined();
    expect(alive().length).toBeLessThanOrEqual(2);
  });

  // Reading difference: `console.log` / `util.inspect` of an answer of the public
  // `markDependents` prints `tasks: [Getter]` instead of the tasks (an eager copy prints them).
  it("util.inspect (console.log) shows a derived orion's tasks like the eager copy's", () => {
    const next = markDependents(completed("t0"), chain(3))!;
    expect(inspect(next, { depth: 4 })).toBe(inspect(eagerCopy(next), { depth: 4 }));
  });

  // Minor: `withoutTasks` copies `Object.keys`, where the spread it replaced (`{ ...current,
  // tasks }`) also copied own enumerable symbol keys; markDependents' answer loses them.
  it("keeps the orion's own enumerable symbol keys, as the spread it replaced did", () => {
    const tag = Symbol("tag");
    const mine = { ...chain(3), [tag]: "mine" } as TaskOrion;
    const next = markDependents(completed("t0"), mine)!;
    expect((next as unknown as Record<symbol, unknown>)[tag]).toBe("mine");
  });

  // Reading difference ("safety from data, not timing"): a frozen record is taken as the root
  // without a copy even when its entries are accessors, so the derived orion reads them when
  // its record is built (or at each `taskIn`), not when it was derived as the eager copy did.
  it("a frozen record with an accessor entry is read at derivation, not when tasks is read", () => {
    const base = chain(3);
    let t2: Task = base.tasks["t2"]!;
    const record = Object.freeze(
      Object.defineProperties(Object.create(null) as Record<string, Task>, {
        t0: { value: base.tasks["t0"], enumerable: true },
        t1: { value: base.tasks["t1"], enumerable: true },
        t2: { get: () => t2, enumerable: true },
      }),
    );
    const next = markDependents(completed("t0"), { ...base, tasks: record })!;
    const before = base.tasks["t2"];
    t2 = { ...before!, params: { changedLater: true } };
    expect(next.tasks["t2"]).toBe(before);
  });

  // PRE-EXISTING (not caused by b2575c8, which makes it about 35 times cheaper: 3.4 GB ->
  // 96 MB of heap at 10,000 tasks): with agentConcurrency > 1, the orion notes of
  // `noteOrionChange` chain every answer to the one before (seen in a heap snapshot:
  // orion <- `from` of a note in orionChanges' `notes` WeakMap) and are not cut, so the
  // simulation keeps (nearly) every answer alive. Counted by live PersistentMaps (one per
  // derived answer, held only by its derivation).
  it("a long simulation with agentConcurrency 4 does not keep every earlier answer alive", () => {
    const start = layeredOrion(10_000, 1);
    let livePersistentMaps = -1;
    let done = 0;
    simulate(start, {
      gated: true,
      seed: 42,
      agentLatency: [20, 60],
      taskDuration: [10, 50],
      agentConcurrency: 4,
      progressStep: 10,
      onProgress: (p) => {
        if (livePersistentMaps === -1 && p.done >= 6000) {
          done = p.done;
          livePersistentMaps = queryObjects(PersistentMap, { format: "count" }) as number;
        }
      },
    });
    expect(done).toBeGreaterThanOrEqual(6000);
    expect(livePersistentMaps).toBeLessThan(500);
  }, 120_000);
});
