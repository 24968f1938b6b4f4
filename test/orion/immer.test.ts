import { produce } from "immer";
import { describe, expect, it } from "vitest";
import { immer } from "../../src/immer.js";
import { orion, startTask } from "../../src/orion/index.js";

describe("the library's immer instance", () => {
  it("does not freeze what it produces, nor objects it assigns from the caller", () => {
    const o = orion("o").task("a").task("b").build();
    const next = startTask(o, "a", 1);
    expect(Object.isFrozen(next)).toBe(false);
    expect(Object.isFrozen(next.tasks["a"])).toBe(false);
    expect(Object.isFrozen(o.tasks["b"])).toBe(false);
  });

  it("leaves immer's global configuration alone (global produce still auto-freezes)", () => {
    const produced = produce({ a: { b: 1 } }, (draft) => {
      draft.a.b = 2;
    });
    expect(Object.isFrozen(produced)).toBe(true);
    const ours = immer.produce({ a: { b: 1 } }, (draft) => {
      draft.a.b = 2;
    });
    expect(Object.isFrozen(ours)).toBe(false);
  });

  it("returns the base itself when a recipe changes nothing", () => {
    const base = { x: 1 };
    expect(immer.produce(base, () => {})).toBe(base);
  });
});
