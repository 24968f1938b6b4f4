import {
  asyncScheduler,
  catchError,
  EmptyError,
  first,
  firstValueFrom,
  map,
  race,
  throwError,
  timer,
  type Observable,
  type SchedulerLike,
} from "rxjs";
import { aborted } from "../src/internal/aborted.js";
import { checkTimeout } from "../src/internal/durations.js";
import { skipStaleStates } from "./skipStaleStates.js";
import type { TaskOrion } from "../src/orion/types.js";
import { pendingIn, type PendingState } from "../src/pending/PendingState.js";

/**
 * Proof that an orion (or the whole bus) was settled when it was taken: nothing pending,
 * and the agent's orion as of `lastChange`. Check it with {@link isStillSettled} right
 * before acting on a decision made earlier (after an `await`, say).
 */
export interface SettleToken {
  /** The orion it is about; `undefined`: every orion on the bus. */
  readonly orionId: string | undefined;
  /** Whether nothing was pending when it was taken. */
  readonly settled: boolean;
  /** The version of the newest registration or agent orion when it was taken. */
  readonly lastChange: number;
}

/** The settle token of `state`, for `orionId` (or every orion). */
export function settleToken(state: PendingState, orionId?: string): SettleToken {
  // An orion without a summary (never started, or ended, with nothing owed) has lost its
  // own last change: the bus's newest stands in, which can only make a token stricter.
  const summary = orionId === undefined ? undefined : state.byOrion.get(orionId);
  return {
    orionId,
    settled: pendingIn(state, orionId) === 0,
    lastChange: summary?.lastChange ?? state.lastChange,
  };
}

/**
 * Whether `token` still holds on `state`: it was settled, nothing is pending now, and no
 * modification registered (nor agent orion arrived) since. A `false` means: decide again,
 * on the current orion.
 */
export function isStillSettled(state: PendingState, token: SettleToken): boolean {
  const now = settleToken(state, token.orionId);
  return token.settled && now.settled && now.lastChange <= token.lastChange;
}

/** What `act` receives when the orion settles. */
export interface Settled {
  /** The agent's latest orion of `orionId` (from `ORION_STARTED`, an answer or a merge). */
  readonly orion: TaskOrion | undefined;
  /** The token of the settled state, for decisions that outlive this turn. */
  readonly token: SettleToken;
  /** The settled state itself. */
  readonly state: PendingState;
}

/** Options of {@link whenSettled}. */
export interface WhenSettledOptions {
  /** Give up after this many ms: the promise rejects with {@link SettleTimeoutError}. */
  readonly timeout?: number;
  /** Where the timeout runs. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  /** Cancels the wait: the promise rejects with the signal's reason, and `act` never runs. */
  readonly signal?: AbortSignal;
}

/** {@link whenSettled} gave up: the orion was still not settled after `timeout` ms. */
export class SettleTimeoutError extends Error {
  override readonly name = "SettleTimeoutError";
  /**
   * Made by {@link whenSettled}; exported so callers can test `instanceof`.
   * @param orionId - the orion waited for (`undefined`: every orion)
   * @param timeout - how long it waited, in ms
   */
  constructor(
    readonly orionId: string | undefined,
    readonly timeout: number,
  ) {
    super(
      `whenSettled: ${orionId === undefined ? "the bus" : `orion '${orionId}'`} was not settled within ${timeout} ms`,
    );
  }
}

/**
 * Runs `act` in the very turn `orionId` (or, without an id, every orion) has nothing
 * pending, on the newest state, and resolves with what it returns; rejects if it throws.
 * No microtask separates the check from the act, so no completion can register in between:
 * the safe form of "wait, then start". At once if already settled.
 *
 * A state that arrives stale (older than one already seen, through a re-entrant cascade)
 * is never acted on: a newer state may have registered something.
 *
 * @param state$ - a state stream that replays its current state to a new subscriber
 * @throws RangeError at call time for a `timeout` that is not a positive finite number.
 */
export function whenSettled<R>(
  state$: Observable<PendingState>,
  orionId: string | undefined,
  act: (settled: Settled) => R,
  options: WhenSettledOptions = {},
): Promise<R> {
  const timeout =
    options.timeout === undefined ? undefined : checkTimeout(options.timeout, "timeout");
  const scheduler = options.scheduler ?? asyncScheduler;
  // `act` runs inside the delivery of the settled state (in `map`), not after a microtask.
  const settledNow = state$.pipe(
    skipStaleStates(),
    first((state) => pendingIn(state, orionId) === 0),
    map((state) =>
      act({
        orion: orionId === undefined ? state.currentOrion : state.orions.get(orionId),
        token: settleToken(state, orionId),
        state,
      }),
    ),
    catchError((error: unknown) =>
      error instanceof EmptyError
        ? throwError(
            () => new Error("whenSettled: the state stream completed before the orion settled"),
          )
        : throwError(() => error),
    ),
  );
  const racers: Observable<R>[] = [settledNow];
  if (timeout !== undefined) {
    racers.push(
      timer(timeout, scheduler).pipe(
        map(() => {
          throw new SettleTimeoutError(orionId, timeout);
        }),
      ),
    );
  }
  if (options.signal !== undefined) racers.unshift(aborted(options.signal));
  return firstValueFrom(race(racers));
}
