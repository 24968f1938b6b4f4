/**
 * A scheduler wrapper that counts the actions still scheduled, so tests can assert that an
 * operator left no timer behind (after completion, errors, unsubscription...).
 */
import type { SchedulerAction, SchedulerLike, Subscription } from "rxjs";

export interface TrackingScheduler extends SchedulerLike {
  /** Actions scheduled and neither run to completion nor unsubscribed. */
  live(): number;
  /** Every `schedule` call so far. */
  scheduled(): number;
}

export function trackingScheduler(inner: SchedulerLike): TrackingScheduler {
  const live = new Set<Subscription>();
  let scheduled = 0;
  return {
    now: () => inner.now(),
    live: () => {
      for (const s of live) if (s.closed) live.delete(s);
      return live.size;
    },
    scheduled: () => scheduled,
    schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay?: number, state?: T) {
      scheduled++;
      const sub = inner.schedule(
        function (this: SchedulerAction<T>, s?: T) {
          work.call(this, s);
        },
        delay,
        state,
      );
      live.add(sub);
      return sub;
    },
  };
}
