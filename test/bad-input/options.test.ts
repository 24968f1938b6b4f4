/**
 * Bad options: NaN, negative, zero and infinite timeouts, bad gate options, bad concurrency.
 * Each is a `RangeError` naming the option, thrown at call time (or, for a command on the
 * fold's command stream, as the state stream's error), and what was pending before is still
 * pending. Rows T1-T8 (and T1b) of docs/bad-input.md.
 */
import { of, Subject } from "rxjs";
import { describe, expect, it } from "vitest";
import { gateReadyTasks, GateOverflowError } from "../../operators/gateReadyTasks.js";
import { pendingModifications } from "../../operators/pendingModifications.js";
import { waitForPendingModifications } from "../../operators/waitForPendingModifications.js";
import { createEventBus } from "../../src/bus.js";
import { orchestrateOrion } from "../../src/orchestrator/orchestrateOrion.js";
import { orion } from "../../src/orion/orion.js";
import { OrionModificationSynchronizer } from "../../src/synchronizer.js";
import { taskCompleted } from "../../testing/index.js";
import {
  expectFacadeIntact,
  expectFoldIntact,
  facadeHarness,
  foldHarness,
  TIMEOUT,
} from "./support.js";

const badTimeouts = [Number.NaN, -1, 0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
const positive = /must be a positive finite number of milliseconds, got (NaN|-1|0|-?Infinity)/;

describe("options: timeouts", () => {
  it("T1 pendingModifications and the synchronizer reject NaN, negative, 0 and infinite timeouts", () => {
    for (const modificationTimeout of badTimeouts) {
      expect(() => pendingModifications({ modificationTimeout })).toThrow(RangeError);
      expect(() => pendingModifications({ modificationTimeout })).toThrow(positive);
      expect(() => new OrionModificationSynchronizer({ modificationTimeout })).toThrow(
        /^modificationTimeout must be a positive finite number/,
      );
    }
  });

  it("T2 the facade's waitForPendingModifications(timeout) and setModificationTimeout", () => {
    const h = facadeHarness();
    for (const timeout of badTimeouts) {
      expect(() => h.sync.waitForPendingModifications(timeout)).toThrow(RangeError);
      expect(() => h.sync.setModificationTimeout(timeout)).toThrow(/^modificationTimeout must be/);
    }
    expect(h.sync.getModificationTimeout()).toBe(TIMEOUT);
    expect(h.sync.getStatistics().timeoutModifications).toBe(0);
    expectFacadeIntact(h);
  });

  it("T3 the operator waitForPendingModifications(state$, { timeout })", () => {
    for (const timeout of badTimeouts) {
      expect(() => waitForPendingModifications(of(), { timeout })).toThrow(/^timeout must be/);
    }
  });

  it("T1b timeouts longer than a timer can wait (2^31 ms): a RangeError, not a timeout after 1 ms", () => {
    const tooLong = 2 ** 31;
    const longest = /must be at most 2147483647 ms .*got 2147483648/;
    expect(() => pendingModifications({ modificationTimeout: tooLong })).toThrow(longest);
    expect(() => waitForPendingModifications(of(), { timeout: tooLong })).toThrow(longest);
    const h = facadeHarness();
    expect(() => h.sync.waitForPendingModifications(tooLong)).toThrow(longest);
    expect(() => h.sync.setModificationTimeout(tooLong)).toThrow(longest);
    expect(() => new OrionModificationSynchronizer({ modificationTimeout: tooLong })).toThrow(
      longest,
    );
    // The longest a timer can wait is still a valid timeout.
    expect(() => h.sync.setModificationTimeout(tooLong - 1)).not.toThrow();
    expect(h.sync.getModificationTimeout()).toBe(tooLong - 1);
    expect(h.sync.getStatistics().timeoutModifications).toBe(0);
    expectFacadeIntact(h);
  });

  it("T4 a set-timeout command with a NaN or infinite timeout: a RangeError on the state stream", () => {
    for (const modificationTimeout of [Number.NaN, Number.POSITIVE_INFINITY, -5]) {
      const h = foldHarness();
      h.commands.next({ kind: "set-timeout", modificationTimeout });
      expect(h.error()).toBeInstanceOf(RangeError);
      expect((h.error() as Error).message).toMatch(/^modificationTimeout must be/);
      // The last state before the error still says what was pending.
      expect(h.last().pending.size).toBe(1);
      expect(h.last().modificationTimeout).toBe(TIMEOUT);
    }
    const ok = foldHarness();
    ok.commands.next({ kind: "set-timeout", modificationTimeout: 5 });
    expect(ok.last().last).toMatchObject({ kind: "timeout-changed", modificationTimeout: 5 });
    expectFoldIntact(ok);
  });
});

describe("options: the gate and the orchestrator", () => {
  it("T5 gateReadyTasks: a release, maxHeld or overflow that does not exist", () => {
    const state$ = new Subject<never>();
    expect(() => gateReadyTasks(state$, { release: "first" as "all" })).toThrow(
      "gateReadyTasks: release must be 'latest' or 'all', got first",
    );
    for (const maxHeld of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => gateReadyTasks(state$, { release: "all", maxHeld })).toThrow(RangeError);
    }
    expect(() => gateReadyTasks(state$, { overflow: "ignore" as "error" })).toThrow(RangeError);
  });

  it("T6 more values than maxHeld while closed: GateOverflowError, the fold unharmed", () => {
    const h = foldHarness();
    const states = new Subject<(typeof h.states)[number]>();
    const ready = new Subject<string>();
    let error: unknown;
    ready.pipe(gateReadyTasks(states, { release: "all", maxHeld: 2 })).subscribe({
      error: (e: unknown) => (error = e),
    });
    states.next(h.last()); // x pending: closed
    ready.next("a");
    ready.next("b");
    ready.next("c");
    expect(error).toBeInstanceOf(GateOverflowError);
    expect((error as Error).message).toBe(
      "gateReadyTasks: more than 2 values held while modifications are pending",
    );
    expectFoldIntact(h);
  });

  it("T7 orchestrateOrion: a maxConcurrency of 0, NaN or 1.5", () => {
    const plan = orion("o1").task("a").build();
    for (const maxConcurrency of [0, -2, Number.NaN, 1.5]) {
      expect(() =>
        orchestrateOrion(plan, { bus: createEventBus(), executeTask: () => 1, maxConcurrency }),
      ).toThrow(`maxConcurrency must be a positive integer, got ${String(maxConcurrency)}`);
    }
  });

  it("T8 a wait timeout that is valid but tiny times out cleanly, counted once", async () => {
    const h = facadeHarness();
    h.bus.publish(taskCompleted("y"));
    const wait = h.sync.waitForPendingModifications(Number.MIN_VALUE);
    h.time.advance(1);
    await expect(wait).resolves.toBe(false);
    expect(h.sync.getStatistics().timeoutModifications).toBe(2);
    expect(h.sync.getPendingCount()).toBe(0);
  });
});
