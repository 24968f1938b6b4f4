import { distinctUntilChanged, map, type OperatorFunction } from "rxjs";
import type { PendingState } from "../src/pending/PendingState.js";
import { skipStaleStates } from "./skipStaleStates.js";

/**
 * Whether any modification is pending, emitted when that changes.
 *
 * ```text
 * states: -s-a-b-s-|     (s: {}, a: {x}, b: {x, y})
 * output: -f-t---f-|
 * ```
 */
export function hasPending(): OperatorFunction<PendingState, boolean> {
  return (source) =>
    source.pipe(
      skipStaleStates(),
      map((state) => state.pending.size > 0),
      distinctUntilChanged(),
    );
}
