import { distinctUntilChanged, map, type OperatorFunction } from "rxjs";
import type { PendingState } from "../src/pending/PendingState.js";
import { skipStaleStates } from "./skipStaleStates.js";

/**
 * The number of pending modifications, emitted when it changes.
 *
 * ```text
 * states: -s-a-b-c-|     (s: {}, a: {x}, b: {x, y}, c: {x, y} with new stats)
 * output: -0-1-2---|
 * ```
 */
export function pendingCount(): OperatorFunction<PendingState, number> {
  return (source) =>
    source.pipe(
      skipStaleStates(),
      map((state) => state.pending.size),
      distinctUntilChanged(),
    );
}
