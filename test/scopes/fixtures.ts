/** The orion and bus values the scoped-holds diagrams of docs/concepts.md share. */
import type { OrionEvent } from "../../src/events.js";
import { orion } from "../../src/orion/orion.js";
import { orionModified, orionStarted, taskCompleted } from "../../testing/index.js";

/** a → b → c, and d on its own branch: a's descendants are b and c. */
export const plan = orion("o")
  .task("a")
  .task("b", { after: "a" })
  .task("c", { after: "b" })
  .task("d")
  .build();

/** Bus values: s started, c a completed, n the answer to it. */
export const planBus: Readonly<Record<"s" | "c" | "n", OrionEvent>> = {
  s: orionStarted(plan),
  c: taskCompleted("a", "o"),
  n: orionModified(["a"], "o"),
};
