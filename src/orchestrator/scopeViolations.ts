/**
 * Scope violations (issue 16): the agent's merged answer changed, or removed, a started task
 * that no modification it answered had in scope. Found from the merge's own report: an agent's
 * declaration is checked, not trusted.
 * @module
 */
import type { MergeReport } from "../orion/mergeOrionStates.js";
import { inScope, type PendingEntry } from "../pending/PendingState.js";
import type { ModificationRef, ScopeViolation } from "./types.js";

/** What a violation or a timeout names of a pending modification. */
export function refOf(entry: PendingEntry): ModificationRef {
  return {
    taskId: entry.taskId,
    ...(entry.eventId === undefined ? {} : { eventId: entry.eventId }),
    seq: entry.seq,
  };
}

/**
 * The new violations in a merge's `report`, given the modifications its answer completed
 * (`answers`), in the report's order, at most one per task and none for a task in `violated`
 * (already reported: a full merge reports a change again). Each names the oldest answered
 * modification. An answer that completed nothing (late, after a timeout) has no scope to check
 * against: the timeout is its report; nor does one with a whole-orion scope.
 */
export function scopeViolationsIn(
  report: MergeReport,
  answers: readonly PendingEntry[],
  violated: ReadonlySet<string>,
  now: () => number,
): ScopeViolation[] {
  const found: ScopeViolation[] = [];
  if (answers.length === 0 || answers.some((e) => e.scope === "orion")) return found;
  const seen = new Set<string>();
  for (const conflict of report.conflicts) {
    if (conflict.kind === "execution_state_differs") continue;
    if (violated.has(conflict.taskId) || seen.has(conflict.taskId)) continue;
    if (answers.some((e) => inScope(e.scope, conflict.taskId))) continue;
    const oldest = answers.reduce((a, b) => (b.seq < a.seq ? b : a));
    found.push(
      conflict.kind === "definition_changed"
        ? {
            taskId: conflict.taskId,
            change: "definition_changed",
            fields: conflict.fields,
            modification: refOf(oldest),
            at: now(),
          }
        : {
            taskId: conflict.taskId,
            change: "removed",
            modification: refOf(oldest),
            at: now(),
          },
    );
    seen.add(conflict.taskId);
  }
  return found;
}
