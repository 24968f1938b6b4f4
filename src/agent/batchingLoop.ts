/**
 * The batching agent's loop: one batch at a time, everything that arrived meanwhile in the next.
 *
 * A drain starts when a completion finds the loop idle: it takes the whole queue as a batch,
 * schedules the answer after the batch's latency, publishes it, and takes the next batch (what
 * arrived meanwhile, re-entrant completions included) until the queue is empty.
 *
 * It is the loop that `exhaustMap(() => nextBatch().pipe(expand(nextBatch), finalize(idle)))`
 * over a `timer` per batch describes, written by hand: those operators cost about a dozen
 * subscribers per batch, a large share of a synchronizer's cost per task when the agent answers
 * at once (issue 15). Every hook is called in the operators' order, which
 * `test/agent/batchingLoop.property.test.ts` checks against them over random scripts:
 * - `latencyOf` when the batch is taken, `answer` (the edit) when its timer fires;
 * - the next batch is taken right after `publish` returns;
 * - the loop is idle again before `setBusy(false)` says so (a completion published from it
 *   starts a new drain);
 * - the bus completing lets the drain in hand finish first, and a completion queued as it
 *   completes still gets its batch; the bus erroring, or `observe`, `latencyOf` or `answer`
 *   throwing, ends the loop and cancels the timer; a `publish` that throws is reported to
 *   RxJS (`config.onUnhandledError`) and the loop goes on, as an observer's throw was.
 * - One difference, on purpose: when the bus fails inside a drain's callback with a
 *   completion queued, the operators still asked for that batch's latency; the loop does not.
 * @internal
 */
import {
  config,
  type Observable,
  type SchedulerLike,
  type Subscription,
  type Unsubscribable,
} from "rxjs";
import type { OrionEvent, OrionModifiedEvent, TaskEvent } from "../events.js";

/** What the loop asks of its agent. @internal */
export interface BatchingHooks {
  /** Takes in a bus event: true when it queued a completion. May throw: the loop fails. */
  observe(event: OrionEvent): boolean;
  hasQueued(): boolean;
  /** The queue, emptied, as the next batch. */
  take(): TaskEvent[];
  /** The batch's latency. May throw: the loop fails. */
  latencyOf(batch: readonly TaskEvent[]): number;
  /** The answers to publish for the batch, when its timer fires. May throw: the loop fails. */
  answer(batch: readonly TaskEvent[]): OrionModifiedEvent[];
  /** Publishes the answers. May throw: reported (`config.onUnhandledError`), the loop goes on. */
  publish(batch: readonly TaskEvent[], answers: readonly OrionModifiedEvent[]): void;
  setBusy(busy: boolean): void;
  /** The loop ended (after `setBusy(false)`): the bus completed, or `failed` with `error`. */
  end(failed: boolean, error?: unknown): void;
}

/** A scheduled batch answer, once `schedule` has returned (`fired`: it already ran). */
interface Pending {
  sub?: Subscription;
  fired: boolean;
}

/**
 * Runs the batching loop on `events$` until it completes or errors, a hook throws, or the
 * result is unsubscribed (which cancels the timer in hand and says `setBusy(false)` if busy).
 * @internal
 */
export function startBatchingLoop(
  events$: Observable<OrionEvent>,
  scheduler: SchedulerLike,
  hooks: BatchingHooks,
): Unsubscribable {
  /** A drain is under way (taking batches until the queue is empty). */
  let draining = false;
  /** The bus completed: end once the drain in hand is done. */
  let busEnded = false;
  /** Ended or unsubscribed: nothing more happens. */
  let closed = false;
  let inHand: Pending | undefined;
  /** The bus subscription, once `subscribe` has returned. */
  let subscribed: Subscription | undefined;

  /** Stops listening and cancels the timer in hand. */
  const tearDown = (): void => {
    closed = true;
    // A bus that emits on subscribe may end the loop before `subscribe` has returned: then
    // its subscription is closed right after.
    subscribed?.unsubscribe();
    inHand?.sub?.unsubscribe();
    inHand = undefined;
  };
  const end = (failed: boolean, error?: unknown): void => {
    closed = true;
    draining = false;
    hooks.setBusy(false);
    hooks.end(failed, error);
  };
  /** Ends the loop with `error`; nothing if it has ended (a callback stopped it, then threw). */
  const fail = (error: unknown): void => {
    if (closed) return;
    tearDown();
    end(true, error);
  };
  /** The queue is empty: the drain is over; so is the loop if the bus has completed. */
  const idle = (): void => {
    if (busEnded) return end(false);
    draining = false;
    hooks.setBusy(false);
  };
  /** Takes the queue as the next batch and schedules its answer; idle when it is empty. */
  const takeBatch = (): void => {
    if (!hooks.hasQueued()) return idle();
    const batch = hooks.take();
    let delay: number;
    try {
      delay = hooks.latencyOf(batch);
    } catch (error) {
      return fail(error); // an `onError` that rethrows
    }
    if (closed) return; // `latency` stopped the agent
    const pending: Pending = { fired: false };
    const sub = scheduler.schedule(() => {
      pending.fired = true;
      if (inHand === pending) inHand = undefined;
      if (closed) return;
      let answers: OrionModifiedEvent[];
      try {
        answers = hooks.answer(batch);
      } catch (error) {
        return fail(error);
      }
      if (closed) return; // `edit` ended the bus
      try {
        hooks.publish(batch, answers);
      } catch (error) {
        // An `onError` that rethrows: reported as RxJS reports an observer's throw (the
        // operators published from one), and the loop goes on.
        reportUnhandled(error);
      }
      if (!closed) takeBatch();
    }, delay);
    // A synchronous scheduler has run it already (and may have scheduled the next batch).
    if (!pending.fired) {
      pending.sub = sub;
      inHand = pending;
    }
  };
  const drain = (): void => {
    draining = true;
    hooks.setBusy(true);
    if (!closed) takeBatch();
  };

  const events = events$.subscribe({
    next: (event) => {
      if (closed) return;
      let queued: boolean;
      try {
        queued = hooks.observe(event);
      } catch (error) {
        return fail(error);
      }
      if (queued && !draining && !closed) drain();
    },
    error: fail,
    complete: () => {
      if (closed) return;
      busEnded = true;
      if (draining) return;
      // A completion queued as the bus ends (it completed inside the completion's own
      // delivery, before the completion was passed on) still gets its batch.
      if (hooks.hasQueued()) drain();
      else end(false);
    },
  });
  if (closed) events.unsubscribe();
  else subscribed = events;
  return {
    unsubscribe: () => {
      if (closed) return;
      tearDown();
      if (draining) {
        draining = false;
        hooks.setBusy(false);
      }
    },
  };
}

/**
 * Reports `error` as RxJS reports an observer's throw: to `config.onUnhandledError` if set,
 * else thrown on a timer of its own, never into the scheduler that runs the loop.
 */
function reportUnhandled(error: unknown): void {
  setTimeout(() => {
    const { onUnhandledError } = config;
    if (onUnhandledError) onUnhandledError(error);
    else throw error;
  });
}
