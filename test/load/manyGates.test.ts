/**
 * Many gates on one synchronizer (one per concurrent orchestration) watch one shared
 * subscription to its `state$`, fed only the states that open or close them: an event that
 * leaves the gates as they were costs one step, not one per gate. Before, each gate
 * subscribed to `state$` on its own, so 1,000 orchestrations on one synchronizer paid 1,000
 * gate steps per event (the load test of 1,000 orions took minutes, quadratic in orions).
 * Each subscription to `state$` receives every state, so subscriptions are the measure.
 */
import { Subject } from "rxjs";
import { describe, expect, it } from "vitest";
import { OrionModificationSynchronizer } from "../../src/synchronizer.js";
import { orionModified, taskCompleted } from "../../testing/index.js";
import { countSubscriptions } from "./countSubscriptions.js";

const GATES = 1_000;

describe("many gates on one synchronizer", () => {
  it("share one subscription to state$, and still hold and release each its own values", () => {
    const sync = new OrionModificationSynchronizer();
    const live = countSubscriptions(sync.state$);
    const triggers = Array.from({ length: GATES }, () => new Subject<number>());
    const released: number[][] = triggers.map(() => []);
    const subscriptions = triggers.map((trigger, g) =>
      trigger.pipe(sync.gate()).subscribe((value) => released[g]?.push(value)),
    );
    expect(live()).toBe(1);

    // Open: values pass at once.
    triggers.forEach((trigger, g) => trigger.next(g));
    expect(released.every((values, g) => values.length === 1 && values[0] === g)).toBe(true);

    // Closed by the first registration; 99 more reach the one shared subscription only.
    for (let i = 0; i < 100; i++) sync.onEvent(taskCompleted(`t${i}`));
    triggers.forEach((trigger, g) => trigger.next(GATES + g));
    expect(released.every((values) => values.length === 1)).toBe(true);
    expect(live()).toBe(1);

    // Still closed until the last modification completes; then every gate releases its value.
    sync.onEvent(orionModified(Array.from({ length: 99 }, (_, i) => `t${i}`)));
    expect(released.every((values) => values.length === 1)).toBe(true);
    sync.onEvent(orionModified(["t99"]));
    expect(released.every((values, g) => values.length === 2 && values[1] === GATES + g)).toBe(
      true,
    );

    // The shared subscription ends with the last gate, and a new gate starts a new one.
    for (const subscription of subscriptions) subscription.unsubscribe();
    expect(live()).toBe(0);
    const late: number[] = [];
    const trigger = new Subject<number>();
    trigger.pipe(sync.gate()).subscribe((value) => late.push(value));
    expect(live()).toBe(1);
    sync.onEvent(taskCompleted("u"));
    trigger.next(1);
    expect(late).toEqual([]);
    sync.onEvent(orionModified(["u"]));
    expect(late).toEqual([1]);
    sync.dispose();
    expect(live()).toBe(0);
  });

  it("a gate made after dispose() still fails rather than passing values", () => {
    const sync = new OrionModificationSynchronizer();
    const first = new Subject<number>();
    let firstError: unknown;
    first.pipe(sync.gate()).subscribe({ error: (e: unknown) => (firstError = e) });
    sync.onEvent(taskCompleted("a"));
    first.next(1);
    sync.dispose();
    expect((firstError as Error | undefined)?.name).toBe("GateStateEndedError");

    const later = new Subject<number>();
    const out: number[] = [];
    let laterError: unknown;
    later
      .pipe(sync.gate())
      .subscribe({ next: (v) => out.push(v), error: (e: unknown) => (laterError = e) });
    later.next(2);
    expect(out).toEqual([]);
    expect((laterError as Error | undefined)?.name).toBe("GateStateEndedError");
  });
});
