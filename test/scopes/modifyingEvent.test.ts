/** The `ORION_MODIFYING` event: parsed and validated like every other, applied by the fold. */
import { describe, expect, it } from "vitest";
import { InvalidEventError, parseOrionEvent } from "../../src/events.js";
import { orion } from "../../src/orion/orion.js";
import { initialPendingState, reducePending } from "../../src/pending/reducePending.js";
import type { PendingState } from "../../src/pending/PendingState.js";

const valid = { type: "ORION_MODIFYING", orionId: "o", onTaskIds: ["a"], scope: ["b"] };

describe("parseOrionEvent: ORION_MODIFYING", () => {
  it("accepts a declaration, an empty scope included", () => {
    expect(parseOrionEvent(valid)).toBe(valid);
    const empty = { ...valid, scope: [] };
    expect(parseOrionEvent(empty)).toBe(empty);
  });

  it.each([
    [{ ...valid, scope: undefined }, "missing-field", "scope"],
    [{ ...valid, scope: "b" }, "wrong-type", "scope"],
    [{ ...valid, scope: ["b", 3] }, "wrong-type", "scope[1]"],
    [{ ...valid, onTaskIds: [] }, "empty-value", "onTaskIds"],
    [{ ...valid, onEventIds: [] }, "empty-value", "onEventIds"],
  ])("rejects %j: %s at %s", (value, reason, path) => {
    expect(parseOrionEvent(value)).toMatchObject({ reason, path });
    expect(parseOrionEvent(value)).toBeInstanceOf(InvalidEventError);
  });
});

describe("the fold: declarations", () => {
  const plan = orion("o").task("a").task("b", { after: "a" }).task("c", { after: "b" }).build();
  const apply = (state: PendingState, event: unknown): PendingState =>
    reducePending(state, { kind: "event", event }, 0);
  const started = (): PendingState =>
    apply(initialPendingState(1000, 0), { type: "ORION_STARTED", orionId: "o", orion: plan });

  it("narrows a named modification and lists the names with nothing owed", () => {
    let s = apply(started(), { type: "TASK_COMPLETED", orionId: "o", taskId: "a" });
    s = apply(s, { type: "ORION_MODIFYING", orionId: "o", onTaskIds: ["a", "z"], scope: ["c"] });
    expect(s.last).toMatchObject({ kind: "declared", unmatched: ["z"] });
    const entry = s.pending.values().next().value;
    expect(entry?.declared).toBe(true);
    expect(entry?.scope).toMatchObject({ taskIds: new Set(["c"]) });
  });

  it("counts a redelivered declaration (same id) as a duplicate, changing nothing", () => {
    let s = apply(started(), { type: "TASK_COMPLETED", orionId: "o", taskId: "a" });
    const declaration = { ...valid, scope: ["c"], eventId: "y1" };
    s = apply(s, declaration);
    const before = s.pending.values().next().value;
    s = apply(s, declaration);
    expect(s.last).toMatchObject({ kind: "ignored", reason: "duplicate" });
    expect(s.pending.values().next().value).toBe(before);
  });
});

describe("parseOrionEvent: an orion's records", () => {
  it("remembers a checked frozen record of data properties, but re-checks one with getters", () => {
    let reads = 0;
    const plain = Object.freeze({ a: { id: "a" } });
    const tricky = Object.freeze(
      Object.defineProperty({}, "a", {
        enumerable: true,
        get: () => (++reads > 1 ? null : { id: "a" }),
      }),
    );
    const event = (tasks: object) => ({
      type: "ORION_STARTED",
      orionId: "o",
      orion: { id: "o", tasks, dependencies: Object.freeze({}) },
    });
    expect(parseOrionEvent(event(plain))).not.toBeInstanceOf(InvalidEventError);
    expect(parseOrionEvent(event(plain))).not.toBeInstanceOf(InvalidEventError);
    expect(parseOrionEvent(event(tricky))).not.toBeInstanceOf(InvalidEventError);
    expect(parseOrionEvent(event(tricky))).toMatchObject({ path: 'orion.tasks["a"]' });
  });
});
