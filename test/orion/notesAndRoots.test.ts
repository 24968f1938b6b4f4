/**
 * From a second adversarial review: the merge's orion notes must still lead back to an orion
 * merged a while ago (a slower merger, a sibling branch) without keeping orions alive, and a
 * derived orion's root must never be a record that reads differently later.
 */
import { describe, expect, it } from "vitest";
import { parseOrionEvent } from "../../src/events.js";
import { deriveOrion, taskIn } from "../../src/orion/internal/derivedOrion.js";
import { agentOrionChange, noteOrionChange } from "../../src/orion/internal/orionChanges.js";
import { knownRecordFacts } from "../../src/orion/internal/recordFacts.js";
import { orion } from "../../src/orion/orion.js";
import type { Task, TaskOrion } from "../../src/orion/types.js";

/** An agent orion derived from `from` with task `id`'s params changed, noted as such. */
function edited(from: TaskOrion, id: string, n: number): TaskOrion {
  const next: TaskOrion = {
    ...from,
    tasks: { ...from.tasks, [id]: { ...from.tasks[id]!, params: { n } } },
  };
  noteOrionChange(next, from, { tasks: [id] });
  return next;
}

function chainOf(start: TaskOrion, length: number, id: string): TaskOrion[] {
  const out = [start];
  for (let i = 1; i <= length; i++) out.push(edited(out[i - 1]!, id, i));
  return out;
}

describe("agentOrionChange after many notes", () => {
  // Two orions derived from the same noted ancestor: the cut made for one branch's 64th step
  // removes a note the other branch, only a few steps long, still needs. Before 6cfcbb1 the
  // hint was found; now agentOrionChange gives undefined (the run falls back to comparing).
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

  // A linear chain, with the orion merged being an earlier one than the newest noted (an
  // orchestrator slower than the agent): 40 steps, within MAX_CHAIN, but the notes 65..70
  // cut the notes it walks. Before 6cfcbb1 it succeeded.
  it("an orion 40 notes after the last merged one gets its change even when 70 were noted", () => {
    const o0 = orion("o").task("a").build();
    const chain = chainOf(o0, 70, "a");
    const change = agentOrionChange(chain[40]!, o0);
    expect(change?.tasks).toHaveLength(40);
  });
});

describe("RecordFacts.dataOnly", () => {
  // The event check looks at `Object.keys` only: a frozen record with a non-enumerable (or
  // symbol-keyed) accessor is marked dataOnly ("frozen with plain data properties only").
  it("is not set by the event check on a frozen record that holds an accessor", () => {
    const base = orion("o").task("t0").task("t1").build();
    const record = Object.freeze(
      Object.defineProperties(Object.create(null) as Record<string, Task>, {
        t0: { value: base.tasks["t0"], enumerable: true },
        t1: { value: base.tasks["t1"], enumerable: true },
        hidden: { get: () => base.tasks["t1"], enumerable: false },
      }),
    );
    const o0: TaskOrion = { ...base, tasks: record };
    expect(parseOrionEvent({ type: "ORION_STARTED", orionId: "o", orion: o0 })).not.toBeInstanceOf(
      Error,
    );
    expect(knownRecordFacts(record)?.dataOnly).not.toBe(true);
  });

  // Consequence: the derived orion takes that record as its root without a copy and reads the
  // accessor when asked later (taskIn, which markDependents uses), not at the derivation. With
  // the copy it gets when the event check has not seen it, the same call gives undefined.
  it("a derived orion does not read a root's accessor late because the event check saw the root", () => {
    const base = orion("o").task("t0").task("t1").build();
    let hidden: Task = { ...base.tasks["t1"]!, id: "hidden" };
    const record = Object.freeze(
      Object.defineProperties(Object.create(null) as Record<string, Task>, {
        t0: { value: base.tasks["t0"], enumerable: true },
        t1: { value: base.tasks["t1"], enumerable: true },
        hidden: { get: () => hidden, enumerable: false },
      }),
    );
    const o0: TaskOrion = { ...base, tasks: record };
    parseOrionEvent({ type: "ORION_STARTED", orionId: "o", orion: o0 });
    const o1 = deriveOrion(o0, new Map([["t0", { ...base.tasks["t0"]!, params: { n: 1 } }]]));
    const changedLater: Task = { ...hidden, params: { changedLater: true } };
    hidden = changedLater;
    expect(taskIn(o1, "hidden")).not.toBe(changedLater);
  });
});
