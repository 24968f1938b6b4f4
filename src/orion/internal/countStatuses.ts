import type { Task } from "../types.js";
import { recordKeys } from "./recordFacts.js";
import { countStatus, emptyCounts, type StatusCounts } from "./stateFromCounts.js";

/** The status counts of a task record, in one pass. @internal */
export function countStatuses(tasks: { readonly [taskId: string]: Task }): StatusCounts {
  const counts = emptyCounts();
  for (const key of recordKeys(tasks)) countStatus(counts, tasks[key]!.status, 1);
  return counts;
}
