import type { PendingState } from "../src/pending/PendingState.js";
import { DEFAULT_ORION_ID } from "./events.js";

/**
 * A pending state, projected to a short string for marble expectations: the task ids with a
 * pending modification, sorted and comma-separated (`"a,b"`; `""` when nothing is pending).
 * Ids of orions other than {@link DEFAULT_ORION_ID} are prefixed with their orion
 * (`"a,o2:a"`).
 *
 * @example
 * const pending$ = events$.pipe(pendingModifications(), map(pendingIds));
 * expectObservable(pending$).toBe("e-a--e", { e: "", a: "a" });
 */
export function pendingIds(state: PendingState): string {
  return Array.from(state.pending.values(), (entry) =>
    entry.orionId === DEFAULT_ORION_ID ? entry.taskId : `${entry.orionId}:${entry.taskId}`,
  )
    .sort()
    .join(",");
}
