import {
  asyncScheduler,
  defaultIfEmpty,
  filter,
  firstValueFrom,
  map,
  race,
  take,
  timer,
  Observable,
  type SchedulerLike,
} from "rxjs";
import { checkTimeout } from "../src/internal/checkTimeout.js";
import type { PendingState } from "../src/pending/PendingState.js";
import { skipStaleStates } from "./skipStaleStates.js";

function aborted(signal: AbortSignal): Observable<never> {
  return new Observable<never>((subscriber) => {
    const onAbort = (): void => subscriber.error(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    return () => signal.removeEventListener("abort", onAbort);
  });
}

/** Options of {@link waitForPendingModifications}. */
export interface WaitForPendingModificationsOptions {
  /** Give up after this many ms and resolve `false`. Default: wait until settled. */
  readonly timeout?: number;
  /** Where the timeout is scheduled. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  /** Cancels the wait: the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/**
 * The wait point: resolves `true` as soon as nothing is pending (at once if nothing is),
 * or `false` when `timeout` ms pass first, when a clear command empties the set during the
 * wait (the modifications did not complete), or when `state$` completes while something
 * is still pending. Modifications registered during the wait extend it, as in the spec. No sleeps:
 * it reacts to the state stream.
 *
 * Waiting never changes the pending set (the Python original's wait cancels futures);
 * clearing on timeout is the facade's job.
 *
 * ```text
 * state$:  s--a---b--s--     (s: nothing pending, a/b: something pending)
 * wait at:    ^
 * result:            true
 * ```
 *
 * @param state$ - a state stream that replays its current state to a new subscriber (a
 *   synchronizer's `state$`, or a fold shared with `shareReplay(1)`). A cold fold would
 *   start from an empty state and resolve `true` at once; a stream that does not replay
 *   would make the first state it emits count as the current one.
 * @throws RangeError at call time for a `timeout` that is not a positive finite number.
 */
export function waitForPendingModifications(
  state$: Observable<PendingState>,
  options: WaitForPendingModificationsOptions = {},
): Promise<boolean> {
  const timeout =
    options.timeout === undefined ? undefined : checkTimeout(options.timeout, "timeout");
  const scheduler = options.scheduler ?? asyncScheduler;
  const settledNow = state$.pipe(
    skipStaleStates(),
    // true: settled; false: emptied by a clear during the wait (the modifications did not
    // complete); undefined: still pending. The state current at the start may have been
    // emptied by an old clear: that counts as settled.
    map((state, index): boolean | undefined =>
      state.pending.size > 0 ? undefined : index === 0 || state.last.kind !== "cleared",
    ),
    filter((verdict): verdict is boolean => verdict !== undefined),
    take(1),
    defaultIfEmpty(false),
  );
  const racers: Observable<boolean>[] = [settledNow];
  if (timeout !== undefined) racers.push(timer(timeout, scheduler).pipe(map(() => false)));
  if (options.signal !== undefined) racers.unshift(aborted(options.signal));
  return firstValueFrom(race(racers));
}
