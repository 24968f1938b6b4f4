import { describe, expect, it } from "vitest";
import { agentOrionChange, noteOrionChange } from "../../src/orion/internal/orionChanges.js";
import { orion } from "../../src/orion/orion.js";
import type { TaskOrion } from "../../src/orion/types.js";
import { collectGarbage } from "../support/collectGarbage.js";

/** An agent orion derived from `from` with task `id`'s params changed, noted as such. */
function edited(from: TaskOrion, id: string, n: number): TaskOrion {
  const next: TaskOrion = {
    ...from,
    tasks: { ...from.tasks, [id]: { ...from.tasks[id]!, params: { n } } },
  };
  noteOrionChange(next, from, { tasks: [id] });
  return next;
}

describe("agentOrionChange", () => {
  it("gives the keys changed along the notes from the last merged orion", () => {
    const o0 = orion("o").task("a").task("b").build();
    const o1 = edited(o0, "a", 1);
    const o2 = edited(o1, "b", 2);
    expect(agentOrionChange(o2, o0)).toEqual({ tasks: ["b", "a"], dependencies: [] });
  });

  it("gives nothing when the notes do not lead back to the last merged orion", () => {
    const o0 = orion("o").task("a").build();
    const other = orion("o").task("a").build();
    expect(agentOrionChange(edited(o0, "a", 1), other)).toBeUndefined();
  });

  it("gives nothing or the whole change, never part of it, after another run cut the notes on the way", () => {
    const o0 = orion("o").task("a").task("b").task("c").build();
    const o1 = edited(o0, "a", 1);
    const o2 = edited(o1, "b", 2);
    const o3 = edited(o2, "c", 3);
    // One run merges o1, o2 and o3 in turn, cutting the notes behind each.
    agentOrionChange(o1, o0);
    agentOrionChange(o2, o1);
    agentOrionChange(o3, o2);
    // Other runs, which merged o0 or o1 last, now merge o3.
    const fromO0 = agentOrionChange(o3, o0);
    const fromO1 = agentOrionChange(o3, o1);
    if (fromO0 !== undefined) expect([...fromO0.tasks!].sort()).toEqual(["a", "b", "c"]);
    if (fromO1 !== undefined) expect([...fromO1.tasks!].sort()).toEqual(["b", "c"]);
  });

  it("lets an orion merged before the last one be collected (a run of many answers keeps one)", async () => {
    // The run merges o1 after o0, then o2 after o1; only o2 is kept.
    const { first, o2 } = (() => {
      const o0 = orion("o").task("a").task("b").build();
      const o1 = edited(o0, "a", 1);
      expect(agentOrionChange(o1, o0)).toBeDefined();
      const last = edited(o1, "b", 2);
      expect(agentOrionChange(last, o1)).toBeDefined();
      return { first: new WeakRef(o0), o2: last };
    })();
    await collectGarbage();
    expect(first.deref()).toBeUndefined();
    expect(o2.tasks.b?.params).toEqual({ n: 2 });
  });
});

/** `start` and `length` orions after it, each noted as an edit of task `id`. */
function chainOf(start: TaskOrion, length: number, id: string): TaskOrion[] {
  const out = [start];
  for (let i = 1; i <= length; i++) out.push(edited(out[i - 1]!, id, i));
  return out;
}

describe("agentOrionChange after many notes", () => {
  // From a second review: two orions derived from the same noted ancestor; a long sibling
  // branch must not cost the short one its hint (a cut of old notes once did).
  it("a short branch still gets its change after a sibling branch grew 64 notes", () => {
    const o0 = orion("o").task("a").task("b").build();
    const trunk = chainOf(o0, 3, "a"); // o0 -> t1 -> t2 -> t3
    const t3 = trunk[3]!;
    const shortBranch = edited(t3, "b", 100); // 4 notes from o0
    chainOf(t3, 62, "a"); // the sibling's 62nd note is 65 steps from o0: cuts t1's note
    expect(agentOrionChange(shortBranch, o0)).toEqual({
      tasks: ["b", "a", "a", "a"],
      dependencies: [],
    });
  });

  // A merger slower than the agent: 40 steps back, within the walk's limit, though 70 notes
  // were made since.
  it("an orion 40 notes after the last merged one gets its change even when 70 were noted", () => {
    const o0 = orion("o").task("a").build();
    const chain = chainOf(o0, 70, "a");
    const change = agentOrionChange(chain[40]!, o0);
    expect(change?.tasks).toHaveLength(40);
  });
});
