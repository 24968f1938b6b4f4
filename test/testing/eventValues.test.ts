import { map } from "rxjs";
import { describe, expect, it } from "vitest";
import type { OrionEvent } from "../../src/events.js";
import { pendingModifications } from "../../operators/pendingModifications.js";
import { marbles } from "../marbles.js";
import {
  emptyOrion,
  eventValues,
  orionModified,
  pendingIds,
  taskCompleted,
} from "../../testing/index.js";

describe("eventValues", () => {
  it("returns the map itself, ready for a marble diagram", () => {
    const values = { c: taskCompleted("a"), m: orionModified(["a"]), "1": taskCompleted("b") };
    expect(eventValues(values)).toBe(values);
  });

  it(
    "makes '--c--m--' read as the events of the map",
    marbles((m) => {
      const values = eventValues({ c: taskCompleted("a"), m: orionModified(["a"]) });
      const events = m.hot("--c--m--", values);
      const subs = "        ^";
      const expected = "    e-a--e--";
      m.expect(events.pipe(pendingModifications(), map(pendingIds))).toBeObservable(expected, {
        e: "",
        a: "a",
      });
      m.expect(events).toHaveSubscriptions(subs);
    }),
  );

  it.each(["", "ab", "-", " ", "(", ")", "|", "#", "^", "!"])(
    "rejects %j as a key: it cannot name a marble value",
    (key) => {
      expect(() => eventValues({ [key]: taskCompleted("a") })).toThrow(RangeError);
    },
  );

  it("rejects a value that is not a valid event, saying which and why", () => {
    const typo = { type: "TASK_COMPLETE", orionId: "o1", taskId: "a" } as unknown as OrionEvent;
    expect(() => eventValues({ c: taskCompleted("a"), t: typo })).toThrow(
      /eventValues: value "t": invalid orion event: type: expected one of/,
    );
    const mismatched = orionModified(["a"], "o1", emptyOrion("o2"));
    expect(() => eventValues({ m: mismatched })).toThrow(TypeError);
  });
});
