/** Compact, readable projections of states for marble expectations. */
import type { PendingState } from "../../src/pending/PendingState.js";

/** `"a,b"`: the pending task ids (with `orion:` prefix when not `o1`), sorted. */
export function pendingIds(state: PendingState): string {
  return Array.from(state.pending.values())
    .map((e) => (e.orionId === "o1" ? e.taskId : `${e.orionId}:${e.taskId}`))
    .sort()
    .join(",");
}

/** `"a,b/registered"`: pending ids and the last transition's kind. */
export function summary(state: PendingState): string {
  return `${pendingIds(state)}/${state.last.kind}`;
}
