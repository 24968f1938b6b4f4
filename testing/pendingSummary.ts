import type { PendingState } from "../src/pending/PendingState.js";
import { pendingIds } from "./pendingIds.js";

/**
 * A pending state as `"<pendingIds>/<last transition>"`, e.g. `"a,b/registered"`,
 * `"/completed"`, `"/timed-out"`: what is pending and why it changed, in one short string
 * for marble expectations (see {@link pendingIds} for the first part).
 *
 * @example
 * const summaries$ = events$.pipe(pendingModifications({ modificationTimeout: 50 }), map(pendingSummary));
 * expectObservable(summaries$).toBe("i-r 49ms t", {
 *   i: "/initial",
 *   r: "a/registered",
 *   t: "/timed-out",
 * });
 */
export function pendingSummary(state: PendingState): string {
  return `${pendingIds(state)}/${state.last.kind}`;
}
