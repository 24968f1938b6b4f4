import type { PendingTransition } from "./PendingState.js";

/**
 * The one orion a transition touched, when it touched one alone (most do); `undefined` when it
 * touched none or several (see `touchedOrions`). Allocates nothing: routing reads it on
 * every transition.
 */
export function soleTouchedOrion(last: PendingTransition): string | undefined {
  switch (last.kind) {
    case "registered":
      return last.entry.orionId;
    case "completed":
    case "orion":
    case "restarted":
    case "seen":
    case "declared":
      return last.orionId;
    default:
      return undefined;
  }
}
