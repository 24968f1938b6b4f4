/**
 * Marble tests of scoped holds (issue 16): a modification holds only the ready tasks in its
 * scope, the agent's `ORION_MODIFYING` narrows it, and the `'hold'` timeout policy keeps it.
 * The bus is made before the ready stream, so the fold sees an event first within a frame.
 */
import type { Observable } from "rxjs";
import { describe, it } from "vitest";
import { gateReadyTasks } from "../../operators/gateReadyTasks.js";
import {
  pendingModifications,
  type PendingModificationsOptions,
} from "../../operators/pendingModifications.js";
import type { OrionEvent } from "../../src/events.js";
import { marbles } from "../marbles.js";
import { expectShownInConcepts, type Diagram } from "./conceptsDiagram.js";
import { planBus } from "./fixtures.js";

/** Bus values: s started, c a completed, n the answer, y / w declarations. */
const bus: Record<string, OrionEvent> = {
  ...planBus,
  y: { type: "ORION_MODIFYING", orionId: "o", onTaskIds: ["a"], scope: ["c"] },
  w: { type: "ORION_MODIFYING", orionId: "o", onTaskIds: ["a"], scope: ["b", "d"] },
};
/** Ready values: the task each would start (x: one the agent adds). */
const ready: Record<string, string> = { b: "b", d: "d", x: "new" };

type Marbles = Parameters<Parameters<typeof marbles>[0]>[0];

/**
 * The tasks released by a scoped gate over `readyMarbles`, with the fold over `busMarbles`;
 * asserts both inputs stay subscribed throughout.
 */
function released(
  m: Marbles,
  busMarbles: string,
  readyMarbles: string,
  fold: PendingModificationsOptions = {},
): Observable<string> {
  const events = m.hot<OrionEvent>(busMarbles, bus);
  const tasks = m.hot<string>(readyMarbles, ready);
  const state = events.pipe(pendingModifications({ scheduler: m.scheduler, ...fold }));
  m.expect(events).toHaveSubscriptions("^");
  m.expect(tasks).toHaveSubscriptions("^");
  return tasks.pipe(
    gateReadyTasks(state, { orionId: "o", tasks: (task) => [task], release: "all" }),
  );
}

describe("gateReadyTasks with scopes", () => {
  it(
    "holds a task in the downstream scope and releases one outside it in the same frame",
    marbles((m) => {
      const events = "  ^s-c------n--";
      const tasks = "   ^---(bd)------";
      const expected = "----d-----b---";
      m.expect(released(m, events, tasks, { scope: "downstream" })).toBeObservable(expected, ready);
    }),
  );

  it(
    "holds everything with the default 'orion' scope, as UFO does",
    marbles((m) => {
      const events = "  ^s-c------n--";
      const tasks = "   ^---d--------";
      const expected = "----------d--";
      m.expect(released(m, events, tasks)).toBeObservable(expected, ready);
    }),
  );

  it(
    "releases a held task when the agent's declaration narrows the scope away from it",
    marbles((m) => {
      const events = "  ^s-c---y---n--";
      const tasks = "   ^---b---------";
      const expected = "-------b------";
      m.expect(released(m, events, tasks)).toBeObservable(expected, ready);
    }),
  );

  it(
    "never widens: a declaration naming more than the policy's scope holds no more",
    marbles((m) => {
      const events = "  ^s-c---w---n--";
      const tasks = "   ^---d---------";
      const expected = "----d---------";
      m.expect(released(m, events, tasks, { scope: "downstream" })).toBeObservable(expected, ready);
    }),
  );

  it(
    "holds a task the agent adds (unknown when the modification registered)",
    marbles((m) => {
      const events = "  ^s-c------n--";
      const tasks = "   ^---x--------";
      const expected = "----------x--";
      m.expect(released(m, events, tasks, { scope: "downstream" })).toBeObservable(expected, ready);
    }),
  );

  it(
    "with onTimeout 'hold', an overdue modification keeps holding its scope until answered",
    marbles((m) => {
      const events = "  ^s-c---------n-";
      const tasks = "   ^---b----------";
      const expected = "-------------b-";
      const fold = { scope: "downstream", modificationTimeout: 5, onTimeout: "hold" } as const;
      m.expect(released(m, events, tasks, fold)).toBeObservable(expected, ready);
    }),
  );
});

// The diagrams of docs/concepts.md ("Scoped holds"), each asserted as the guide shows it.
describe("docs/concepts.md: the scope policies", () => {
  // prettier-ignore
  const diagram = [
    ["bus",        "-s-c------n----"],
    ["ready",      "---(bd)--------"],
    ["orion",      "----------(bd)-"],
    ["downstream", "---d------b----"],
    ["function",   "---b------d----"],
    ["throwing",   "----------(bd)-"],
  ] as const satisfies Diagram;
  const [[, bus], [, tasks], [, orion], [, downstream], [, chosen], [, throwing]] = diagram;

  it("is the diagram the guide shows", () => {
    expectShownInConcepts(diagram);
  });

  it(
    "'orion' (default) holds every task of the orion",
    marbles((m) => {
      m.expect(released(m, bus, tasks, { scope: "orion" })).toBeObservable(orion, ready);
    }),
  );

  it(
    "'downstream' holds the completed task's descendants only",
    marbles((m) => {
      m.expect(released(m, bus, tasks, { scope: "downstream" })).toBeObservable(downstream, ready);
    }),
  );

  it(
    "a function chooses the scope",
    marbles((m) => {
      m.expect(released(m, bus, tasks, { scope: () => ["d"] })).toBeObservable(chosen, ready);
    }),
  );

  it(
    "a function that throws holds the whole orion",
    marbles((m) => {
      const scope = (): never => {
        throw new Error("no scope");
      };
      m.expect(released(m, bus, tasks, { scope })).toBeObservable(throwing, ready);
    }),
  );
});

describe("docs/concepts.md: declarations", () => {
  // prettier-ignore
  const diagram = [
    ["bus",    "-s-c---y---n--"],
    ["ready",  "---b----------"],
    ["output", "-------b------"],
    ["bus",    "-s-c---w---n--"],
    ["ready",  "---b----d-----"],
    ["output", "--------d--b--"],
  ] as const satisfies Diagram;
  const [[, narrowing], [, heldTask], [, narrowed], [, widening], [, tasks], [, notWidened]] =
    diagram;

  it("is the diagram the guide shows", () => {
    expectShownInConcepts(diagram);
  });

  it(
    "a declaration narrows the whole orion to its scope: a task outside it is released then",
    marbles((m) => {
      m.expect(released(m, narrowing, heldTask)).toBeObservable(narrowed, ready);
    }),
  );

  it(
    "a declaration intersects the policy's scope: a task it names outside that scope stays free",
    marbles((m) => {
      m.expect(released(m, widening, tasks, { scope: "downstream" })).toBeObservable(
        notWidened,
        ready,
      );
    }),
  );
});
