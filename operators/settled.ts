import { filter, pairwise, map, startWith, type MonoTypeOperatorFunction } from "rxjs";
import type { PendingState } from "../src/pending/PendingState.js";
import { skipStaleStates } from "./skipStaleStates.js";

/**
 * Emits the state at which the pending set becomes empty: each time the last pending
 * modification completes, times out or is cleared. An initial empty state is not a
 * settlement (nothing was pending); use {@link waitForPendingModifications} to wait for
 * "empty now or later".
 *
 * ```text
 * states: -s-a-b-s-a-s-|     (s: {}, a: {x}, b: {x, y})
 * output: -------s---s-|
 * ```
 */
export function settled(): MonoTypeOperatorFunction<PendingState> {
  return (source) =>
    source.pipe(
      skipStaleStates(),
      map((state) => ({ state, empty: state.pending.size === 0 })),
      startWith({ state: undefined, empty: true }),
      pairwise(),
      filter(([before, after]) => !before.empty && after.empty),
      map(([, after]) => after.state as PendingState),
    );
}
