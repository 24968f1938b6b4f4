/**
 * The gate over random interleavings of bus events, ready emissions and virtual time:
 * safety (no value leaves while the newest state has something pending) and liveness
 * (once nothing is pending, the newest held value, or with 'all' every held value in order,
 * has been released).
 */
import fc from "fast-check";
import { shareReplay, Subject } from "rxjs";
import { describe, expect, it } from "vitest";
import type { OrionEvent } from "../../src/events.js";
import { gateReadyTasks } from "../../operators/gateReadyTasks.js";
import { pendingModifications } from "../../operators/pendingModifications.js";
import { virtualTime } from "../../testing/index.js";
import { runs } from "./runs.js";

type Action =
  | { a: "complete"; task: number }
  | { a: "modify"; tasks: number[] }
  | { a: "ready" }
  | { a: "readyAfterComplete"; task: number }
  | { a: "advance"; ms: number };

const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ a: fc.constant("complete" as const), task: fc.nat(5) }),
  fc.record({
    a: fc.constant("modify" as const),
    tasks: fc.array(fc.nat(5), { minLength: 1, maxLength: 3 }),
  }),
  fc.record({ a: fc.constant("ready" as const) }),
  fc.record({ a: fc.constant("readyAfterComplete" as const), task: fc.nat(5) }),
  fc.record({ a: fc.constant("advance" as const), ms: fc.nat(700) }),
);

const TIMEOUT = 500;

function run(actions: Action[], release: "latest" | "all"): void {
  const { scheduler, advance } = virtualTime();
  const bus = new Subject<OrionEvent>();
  const ready = new Subject<number>();
  const state$ = bus.pipe(
    pendingModifications({ scheduler, modificationTimeout: TIMEOUT }),
    shareReplay({ bufferSize: 1, refCount: true }),
  );
  // The ground truth, subscribed first: the newest state's pending count.
  let pendingNow = 0;
  const truth = state$.subscribe((s) => (pendingNow = s.pending.size));
  const out: number[] = [];
  // Recorded, not asserted here: RxJS reports a throw from a subscriber asynchronously,
  // where it could not fail the property.
  const violations: string[] = [];
  const sub = ready.pipe(gateReadyTasks(state$, { release })).subscribe((v) => {
    if (pendingNow !== 0) violations.push(`value ${v} left the gate while ${pendingNow} pending`);
    out.push(v);
  });
  let counter = 0;
  const pushed: number[] = [];
  const push = (): void => {
    pushed.push(counter);
    ready.next(counter++);
  };
  for (const act of actions) {
    switch (act.a) {
      case "complete":
        bus.next({ type: "TASK_COMPLETED", orionId: "o", taskId: `t${act.task}` });
        bus.next({ type: "TASK_STARTED", orionId: "o", taskId: `t${act.task}` });
        break;
      case "modify":
        bus.next({
          type: "ORION_MODIFIED",
          orionId: "o",
          onTaskIds: act.tasks.map((t) => `t${t}`),
        });
        break;
      case "ready":
        push();
        break;
      case "readyAfterComplete":
        // The orchestrator's cascade: publish the completion, then emit what it made ready.
        bus.next({ type: "TASK_COMPLETED", orionId: "o", taskId: `t${act.task}` });
        bus.next({ type: "TASK_STARTED", orionId: "o", taskId: `t${act.task}` });
        push();
        break;
      case "advance":
        advance(act.ms);
        break;
    }
    expect(violations).toEqual([]);
    if (pendingNow === 0) {
      // Liveness: nothing pending, so nothing may still be held.
      if (release === "all") expect(out).toEqual(pushed);
      else if (pushed.length > 0) expect(out.at(-1)).toBe(pushed.at(-1));
    }
  }
  // Liveness within the timeout: after it, everything pending has timed out.
  advance(TIMEOUT);
  expect(pendingNow).toBe(0);
  if (release === "all") expect(out).toEqual(pushed);
  else if (pushed.length > 0) expect(out.at(-1)).toBe(pushed.at(-1));
  // Released values are never duplicated and keep their order.
  expect(out).toEqual([...new Set(out)].sort((a, b) => a - b));
  sub.unsubscribe();
  truth.unsubscribe();
}

describe("gateReadyTasks over random interleavings", () => {
  it(`never lets a value through while something is pending, and releases the latest (${runs(1000).toLocaleString("en-US")} runs)`, () => {
    fc.assert(
      fc.property(fc.array(action, { maxLength: 40 }), (actions) => run(actions, "latest")),
      { numRuns: runs(1000) },
    );
  });

  it("with release: 'all', releases every value in order once nothing is pending", () => {
    fc.assert(
      fc.property(fc.array(action, { maxLength: 40 }), (actions) => run(actions, "all")),
      { numRuns: runs(1000) },
    );
  });
});
