import { defer, filter, type MonoTypeOperatorFunction } from "rxjs";
import type { PendingState } from "../src/pending/PendingState.js";

/**
 * Drops any state older than one already seen (by `version`).
 *
 * A fold emits its states in order, but when a subscriber of a multicast state stream
 * reacts to a state by pushing an event synchronously, the newer state reaches the other
 * subscribers before the older one has finished reaching them. Every consumer in this
 * library keeps only the newest version; use this in your own consumers of a shared state
 * stream.
 *
 * ```text
 * states: -1-3-2-4-|
 * output: -1-3---4-|
 * ```
 */
export function skipStaleStates(): MonoTypeOperatorFunction<PendingState> {
  return (source) =>
    defer(() => {
      let seen = -1;
      return source.pipe(
        filter((state) => {
          if (state.version <= seen) return false;
          seen = state.version;
          return true;
        }),
      );
    });
}
