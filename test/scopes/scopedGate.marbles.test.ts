/**
 * Marble tests of scoped holds (issue 16): a modification holds only the ready tasks in its
 * scope, the agent's `ORION_MODIFYING` narrows it, and the `'hold'` timeout policy keeps it.
 * The bus is made before the ready stream, so the fold sees an event first within a frame.
 */
import { map } from "rxjs";
import { describe, it } from "vitest";
import { gateReadyTasks } from "../../operators/gateReadyTasks.js";
import { pendingModifications } from "../../operators/pendingModifications.js";
import type { OrionEvent, OrionModifyingEvent } from "../../src/events.js";
import { orion } from "../../src/orion/orion.js";
import { orionModified, orionStarted, taskCompleted } from "../../testing/index.js";
import { marbles } from "../marbles.js";

/** a → b → c, and d on its own branch: a's descendants are b and c. */
const plan = orion("o")
  .task("a")
  .task("b", { after: "a" })
  .task("c", { after: "b" })
  .task("d")
  .build();

interface Ready {
  readonly task: string;
}
const scoped = {
  orionId: "o",
  tasks: (v: Ready): readonly string[] => [v.task],
};
const declare = (onTaskIds: string[], scope: string[]): OrionModifyingEvent => ({
  type: "ORION_MODIFYING",
  orionId: "o",
  onTaskIds,
  scope,
});

describe("gateReadyTasks with scopes", () => {
  it(
    "holds a task in the downstream scope and releases one outside it in the same frame",
    marbles((m) => {
      const bus = m.hot<OrionEvent>("^s-c------n--", {
        s: orionStarted(plan),
        c: taskCompleted("a", "o"),
        n: orionModified(["a"], "o"),
      });
      const ready = m.hot<Ready>("    ^---(bd)------", { b: { task: "b" }, d: { task: "d" } });
      const expected = "           ----d-----b---";
      const state = bus.pipe(pendingModifications({ scheduler: m.scheduler, scope: "downstream" }));
      m.expect(
        ready.pipe(
          gateReadyTasks(state, { ...scoped, release: "all" }),
          map((v) => v.task),
        ),
      ).toBeObservable(expected, { b: "b", d: "d" });
      m.expect(bus).toHaveSubscriptions("^");
      m.expect(ready).toHaveSubscriptions("^");
    }),
  );

  it(
    "holds everything with the default 'orion' scope, as UFO does",
    marbles((m) => {
      const bus = m.hot<OrionEvent>("^s-c------n--", {
        s: orionStarted(plan),
        c: taskCompleted("a", "o"),
        n: orionModified(["a"], "o"),
      });
      const ready = m.hot<Ready>("    ^---d---------", { d: { task: "d" } });
      const expected = "           ----------d--";
      const state = bus.pipe(pendingModifications({ scheduler: m.scheduler }));
      m.expect(
        ready.pipe(
          gateReadyTasks(state, scoped),
          map((v) => v.task),
        ),
      ).toBeObservable(expected, { d: "d" });
    }),
  );

  it(
    "releases a held task when the agent's declaration narrows the scope away from it",
    marbles((m) => {
      const bus = m.hot<OrionEvent>("^s-c---y---n--", {
        s: orionStarted(plan),
        c: taskCompleted("a", "o"),
        y: declare(["a"], ["c"]),
        n: orionModified(["a"], "o"),
      });
      const ready = m.hot<Ready>("    ^---b----------", { b: { task: "b" } });
      const expected = "           -------b------";
      const state = bus.pipe(pendingModifications({ scheduler: m.scheduler }));
      m.expect(
        ready.pipe(
          gateReadyTasks(state, scoped),
          map((v) => v.task),
        ),
      ).toBeObservable(expected, { b: "b" });
    }),
  );

  it(
    "never widens: a declaration naming more than the policy's scope holds no more",
    marbles((m) => {
      const bus = m.hot<OrionEvent>("^s-c---y---n--", {
        s: orionStarted(plan),
        c: taskCompleted("a", "o"),
        y: declare(["a"], ["b", "d"]),
        n: orionModified(["a"], "o"),
      });
      const ready = m.hot<Ready>("    ^---d----------", { d: { task: "d" } });
      const expected = "           ----d---------";
      const state = bus.pipe(pendingModifications({ scheduler: m.scheduler, scope: "downstream" }));
      m.expect(
        ready.pipe(
          gateReadyTasks(state, scoped),
          map((v) => v.task),
        ),
      ).toBeObservable(expected, { d: "d" });
    }),
  );

  it(
    "holds a task the agent adds (unknown when the modification registered)",
    marbles((m) => {
      const bus = m.hot<OrionEvent>("^s-c------n--", {
        s: orionStarted(plan),
        c: taskCompleted("a", "o"),
        n: orionModified(["a"], "o"),
      });
      const ready = m.hot<Ready>("    ^---x---------", { x: { task: "new" } });
      const expected = "           ----------x--";
      const state = bus.pipe(pendingModifications({ scheduler: m.scheduler, scope: "downstream" }));
      m.expect(
        ready.pipe(
          gateReadyTasks(state, scoped),
          map((v) => v.task),
        ),
      ).toBeObservable(expected, { x: "new" });
    }),
  );

  it(
    "with onTimeout 'hold', an overdue modification keeps holding its scope until answered",
    marbles((m) => {
      const bus = m.hot<OrionEvent>("^s-c---------n-", {
        s: orionStarted(plan),
        c: taskCompleted("a", "o"),
        n: orionModified(["a"], "o"),
      });
      const ready = m.hot<Ready>("    ^---b----------", { b: { task: "b" } });
      const expected = "           -------------b-";
      const state = bus.pipe(
        pendingModifications({
          scheduler: m.scheduler,
          scope: "downstream",
          modificationTimeout: 5,
          onTimeout: "hold",
        }),
      );
      m.expect(
        ready.pipe(
          gateReadyTasks(state, scoped),
          map((v) => v.task),
        ),
      ).toBeObservable(expected, { b: "b" });
    }),
  );
});
