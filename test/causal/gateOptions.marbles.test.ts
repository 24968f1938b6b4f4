/**
 * Marble tests of the gate's causal options (issue 13): `orionId`, `after`, `unseenTimeout`.
 * Hot observables made earlier emit first within a frame, so the bus is made before the
 * ready stream where the fold must see an event in the frame a value arrives.
 */
import { map } from "rxjs";
import { describe, it } from "vitest";
import { gateReadyTasks, UnseenEventError } from "../../operators/gateReadyTasks.js";
import { pendingModifications } from "../../operators/pendingModifications.js";
import type { OrionEvent } from "../../src/events.js";
import { orionModified, taskCompleted, taskStarted } from "../../testing/index.js";
import { marbles } from "../marbles.js";
import { withId, type Ready } from "./support.js";

const byOrionAndAfter = {
  orionId: (v: Ready): string => v.orionId,
  after: (v: Ready): string | readonly string[] | undefined => v.after,
};

describe("gateReadyTasks: causal options", () => {
  it(
    "releases a value of orion A in the frame where orion B registers a modification",
    marbles((m) => {
      const bus = m.hot<OrionEvent>("^-c----n--", {
        c: withId(taskCompleted("x", "B"), "c1"),
        n: withId(orionModified(["x"], "B"), "m1"),
      });
      const ready = m.hot<Ready>("   ^-a-b------", {
        a: { orionId: "A", task: "a1" },
        b: { orionId: "B", task: "b1" },
      });
      const busSubs = "              ^";
      const readySubs = "            ^";
      const expected = "             --a----b--";
      const state = bus.pipe(pendingModifications({ scheduler: m.scheduler }));
      m.expect(
        ready.pipe(
          gateReadyTasks(state, { ...byOrionAndAfter, scheduler: m.scheduler }),
          map((v) => v.task),
        ),
      ).toBeObservable(expected, { a: "a1", b: "b1" });
      m.expect(bus).toHaveSubscriptions(busSubs);
      m.expect(ready).toHaveSubscriptions(readySubs);
    }),
  );

  it(
    "holds an `after` value until the fold sees its event (an event that registers nothing)",
    marbles((m) => {
      const bus = m.hot<OrionEvent>("^-----s---", { s: withId(taskStarted("t", "o"), "s1") });
      const ready = m.hot<Ready>("   ^-v-------", {
        v: { orionId: "o", task: "t2", after: "s1" },
      });
      const busSubs = "              ^";
      const readySubs = "            ^";
      const expected = "             ------v---";
      const state = bus.pipe(pendingModifications({ scheduler: m.scheduler }));
      m.expect(
        ready.pipe(
          gateReadyTasks(state, { ...byOrionAndAfter, scheduler: m.scheduler }),
          map((v) => v.task),
        ),
      ).toBeObservable(expected, { v: "t2" });
      m.expect(bus).toHaveSubscriptions(busSubs);
      m.expect(ready).toHaveSubscriptions(readySubs);
    }),
  );

  it(
    "holds an `after` value past the frame its completion is seen, until it is answered",
    marbles((m) => {
      const bus = m.hot<OrionEvent>("^----c---n--", {
        c: withId(taskCompleted("a", "o"), "c1"),
        n: withId(orionModified(["a"], "o"), "m1"),
      });
      const ready = m.hot<Ready>("   ^-v---------", {
        v: { orionId: "o", task: "b", after: "c1" },
      });
      const busSubs = "              ^";
      const readySubs = "            ^";
      const expected = "             ---------v--";
      const state = bus.pipe(pendingModifications({ scheduler: m.scheduler }));
      m.expect(
        ready.pipe(
          gateReadyTasks(state, { ...byOrionAndAfter, scheduler: m.scheduler }),
          map((v) => v.task),
        ),
      ).toBeObservable(expected, { v: "b" });
      m.expect(bus).toHaveSubscriptions(busSubs);
      m.expect(ready).toHaveSubscriptions(readySubs);
    }),
  );

  it(
    "errors with UnseenEventError at exactly unseenTimeout, and unsubscribes from both",
    marbles((m) => {
      const unseenTimeout = m.time("-----|");
      const bus = m.hot<OrionEvent>("^----------", {});
      const ready = m.hot<Ready>("   ^-v--------", {
        v: { orionId: "o", task: "b", after: "c9" },
      });
      const expected = "             -------#   ";
      const subs = "                 ^------!   ";
      const state = bus.pipe(pendingModifications({ scheduler: m.scheduler }));
      m.expect(
        ready.pipe(
          gateReadyTasks(state, { ...byOrionAndAfter, unseenTimeout, scheduler: m.scheduler }),
        ),
      ).toBeObservable(expected, {}, new UnseenEventError("o", "c9", unseenTimeout));
      m.expect(bus).toHaveSubscriptions(subs);
      m.expect(ready).toHaveSubscriptions(subs);
    }),
  );
});
