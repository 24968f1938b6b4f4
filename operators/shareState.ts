import { ReplaySubject, share, type MonoTypeOperatorFunction } from "rxjs";
import type { PendingState } from "../src/pending/PendingState.js";

/**
 * Shares a pending-modifications fold the safe way: every subscriber gets the current state
 * at once, and the fold keeps running when the last subscriber leaves, so a gate that
 * unsubscribes and subscribes again finds the modifications still owed.
 *
 * `shareReplay({ bufferSize: 1, refCount: true })` looks the same but restarts the fold
 * empty when its subscriber count drops to zero: a resubscribed gate then opens with a
 * modification still owed. (A gate whose values carry `after` ids fails loudly with
 * `UnseenEventError` in that case instead of opening.)
 *
 * The fold starts with the first subscriber: subscribe once at set-up, before the
 * orchestrator publishes. It stops when the events complete or error (a later subscriber
 * starts a new one), never on unsubscription; unsubscribe from the events to stop it.
 *
 * ```ts
 * const state$ = bus.events$.pipe(pendingModifications(), shareState());
 * ```
 */
export function shareState(): MonoTypeOperatorFunction<PendingState> {
  return share<PendingState>({
    connector: () => new ReplaySubject<PendingState>(1),
    resetOnError: true,
    resetOnComplete: true,
    resetOnRefCountZero: false,
  });
}
