import { Subscription, type SchedulerAction, type SchedulerLike } from "rxjs";

/**
 * A scheduler whose timers are held until `release()`, then scheduled on `base` for the
 * same due time. The worker replays a long stream in chunks, yielding to the event loop
 * between them; the synchronizer's timers are held meanwhile, so a modification whose
 * deadline has passed is not timed out before the replay reaches its answer (as in one
 * synchronous pass).
 */
export function heldScheduler(base: SchedulerLike): {
  readonly scheduler: SchedulerLike;
  release(): void;
} {
  type Work = (this: SchedulerAction<unknown>, state?: unknown) => void;
  let held: { work: Work; dueAt: number; state: unknown; outer: Subscription }[] | undefined = [];
  const scheduler: SchedulerLike = {
    now: () => base.now(),
    schedule<T>(
      work: (this: SchedulerAction<T>, state?: T) => void,
      delay = 0,
      state?: T,
    ): Subscription {
      if (held === undefined) return base.schedule(work, delay, state);
      const outer = new Subscription();
      held.push({ work: work as Work, dueAt: base.now() + delay, state, outer });
      return outer;
    },
  };
  return {
    scheduler,
    release: () => {
      const list = held ?? [];
      held = undefined;
      for (const { work, dueAt, state, outer } of list) {
        if (!outer.closed) outer.add(base.schedule(work, Math.max(0, dueAt - base.now()), state));
      }
    },
  };
}
