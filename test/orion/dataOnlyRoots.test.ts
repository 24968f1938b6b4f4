/**
 * From a second adversarial review: a derived orion's root must never be a record that reads
 * differently later, whatever the event check saw of it.
 */
import { describe, expect, it } from "vitest";
import { parseOrionEvent } from "../../src/events.js";
import { deriveOrion, taskIn } from "../../src/orion/internal/derivedOrion.js";
import { knownRecordFacts } from "../../src/orion/internal/recordFacts.js";
import { orion } from "../../src/orion/orion.js";
import type { Task, TaskOrion } from "../../src/orion/types.js";

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
