import type { Observable } from "rxjs";
import {
  asyncScheduler,
  defaultIfEmpty,
  filter,
  firstValueFrom,
  map,
  race,
  take,
  timer,
  type SchedulerLike,
} from "rxjs";
import { aborted } from "../src/internal/aborted.js";
import { checkTimeout } from "../src/internal/durations.js";
import { pendingIn, type PendingState } from "../src/pending/PendingState.js";

/**
 * Whether `state` was made by a clear that removed modifications of `orionId` (any, without
 * one): only then did the clear, not an answer, empty what the wait waits for.
 */
function clearedFor(state: PendingState, orionId: string | undefined): boolean {
  const last = state.last;
  if (last.kind !== "cleared") return false;
  return orionId === undefined || last.entries.some((entry) => entry.orionId === orionId);
}

/** Options of {@link waitForPendingModifications}. */
export interface WaitForPendingModificationsOptions {
  /** Give up after this many ms and resolve `false`. Default: wait until settled. */
  readonly timeout?: number;
  /** Where the timeout is scheduled. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  /** Cancels the wait: the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Wait only for this orion's modifications. Default: every orion's. */
  readonly orionId?: string;
}

/**
 * The wait point: resolves `true` as soon as nothing is pending (at once if nothing is),
 * or `false` when `timeout` ms pass first, when a clear command empties the set during the
 * wait (the modifications did not complete), or when `state$` completes while something
 * is still pending. Modifications registered during the wait extend it, as in the spec. No sleeps:
 * it reacts to the state stream.
 *
 * The verdict is taken from every state at or after the one current when the wait began,
 * in whatever order they arrive: a moment with nothing pending counts even when a
 * subscriber that heard it first made a newer state (re-entrantly) before this wait heard
 * it. So the verdict does not depend on the order of subscriptions.
 *
 * Resolving `true` says that nothing was pending at some moment after the call, not that
 * nothing is pending when the code after `await` runs: a completion can register in the
 * microtasks between. To act on a settled orion, use the facade's `whenSettled` (runs in
 * the very turn) or check a settle token right before acting.
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
  const orionId = options.orionId;
  let start = -1;
  const settledNow = state$.pipe(
    // true: settled; false: emptied by a clear during the wait (the modifications did not
    // complete); undefined: still pending, or older than the wait. The state current at the
    // start may have been emptied by an old clear: that counts as settled.
    map((state): boolean | undefined => {
      if (start < 0) start = state.version;
      if (state.version < start || pendingIn(state, orionId) > 0) return undefined;
      return state.version === start || !clearedFor(state, orionId);
    }),
    filter((verdict): verdict is boolean => verdict !== undefined),
    take(1),
    defaultIfEmpty(false),
  );
  const racers: Observable<boolean>[] = [settledNow];
  if (timeout !== undefined) racers.push(timer(timeout, scheduler).pipe(map(() => false)));
  if (options.signal !== undefined) racers.unshift(aborted(options.signal));
  return firstValueFrom(race(racers));
}
