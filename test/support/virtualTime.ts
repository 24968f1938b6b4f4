/** Virtual time for tests that drive operators imperatively (outside marble diagrams). */
import { TestScheduler } from "rxjs/testing";

export interface VirtualTime {
  readonly scheduler: TestScheduler;
  /** Runs everything due in the next `ms` virtual milliseconds, and moves the clock there. */
  advance(ms: number): void;
  /** Runs everything scheduled, however far ahead. */
  flush(): void;
}

/** A TestScheduler without a frame limit, and a way to move its clock. */
export function virtualTime(): VirtualTime {
  const scheduler = new TestScheduler(() => undefined);
  scheduler.maxFrames = Number.POSITIVE_INFINITY;
  return {
    scheduler,
    advance: (ms) => {
      const target = scheduler.now() + ms;
      scheduler.schedule(() => undefined, ms);
      scheduler.maxFrames = target;
      scheduler.flush();
      scheduler.maxFrames = Number.POSITIVE_INFINITY;
    },
    flush: () => scheduler.flush(),
  };
}

/** What the promise settled with, or "unsettled" if it has not by the next macrotask. */
export async function peek<T>(promise: Promise<T>): Promise<T | "unsettled"> {
  return Promise.race([
    promise,
    new Promise<"unsettled">((resolve) => setImmediate(() => resolve("unsettled"))),
  ]);
}
