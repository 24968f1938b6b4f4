import { TestScheduler } from "rxjs/testing";

/** What {@link virtualTime} returns. Its functions may be destructured. */
export interface VirtualTime {
  /** The virtual clock: give it to anything that takes a `scheduler`. */
  readonly scheduler: TestScheduler;
  /** The current virtual time, in ms. */
  now(): number;
  /**
   * Runs everything due in the next `ms` virtual milliseconds, in order (including what
   * that work schedules within the window), and moves the clock there.
   * @throws RangeError for a negative, NaN or infinite `ms`.
   */
  advance(ms: number): void;
  /** Runs everything scheduled, however far ahead, and leaves the clock at the last of it. */
  flush(): void;
}

/**
 * Virtual time for tests that drive code imperatively rather than with marble diagrams:
 * promises (`await synchronizer.waitForPendingModifications()`), callbacks, an orchestrator
 * loop. A `TestScheduler` without a frame limit, used outside `run`, and a way to move its
 * clock by hand. (Inside `TestScheduler.run`, use that scheduler and its diagrams instead.)
 *
 * @example
 * const { scheduler, advance } = virtualTime();
 * const { synchronizer, publish } = createTestSynchronizer(scheduler, { modificationTimeout: 100 });
 * publish(taskCompleted("a"));
 * advance(99);
 * synchronizer.getPendingCount(); // 1
 * advance(1);
 * synchronizer.getPendingCount(); // 0: timed out
 */
export function virtualTime(): VirtualTime {
  const scheduler = new TestScheduler(() => undefined);
  scheduler.maxFrames = Number.POSITIVE_INFINITY;
  return {
    scheduler,
    now: () => scheduler.now(),
    advance: (ms) => {
      if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0) {
        throw new RangeError(`virtualTime: advance(ms) needs a finite ms >= 0, got ${String(ms)}`);
      }
      const target = scheduler.now() + ms;
      // A no-op at the target, so the clock gets there even when nothing else is due.
      scheduler.schedule(() => undefined, ms);
      scheduler.maxFrames = target;
      try {
        scheduler.flush();
      } finally {
        scheduler.maxFrames = Number.POSITIVE_INFINITY;
      }
    },
    flush: () => scheduler.flush(),
  };
}
