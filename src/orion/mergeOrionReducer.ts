import { mergeOrionStates, type MergeOptions, type MergeReport } from "./mergeOrionStates.js";
import type { TaskOrion } from "./types.js";

/**
 * `mergeOrionStates` as a reducer for RxJS `scan` (or `Array.prototype.reduce`): the
 * accumulator is the orchestrator's orion, each value an orion from the agent, and the result
 * the merged orion, which becomes the orchestrator's for the next edit.
 *
 * ```ts
 * agentOrions$.pipe(scan(mergeOrionReducer({ onReport: log }), initialOrion));
 * ```
 */
export function mergeOrionReducer(
  options?: MergeOptions & {
    /** Called with each merge's report (e.g. to log conflicts). */
    readonly onReport?: (report: MergeReport) => void;
  },
): (orchestratorOrion: TaskOrion, agentOrion: TaskOrion) => TaskOrion {
  return (orchestratorOrion, agentOrion) => {
    const { orion, report } = mergeOrionStates(agentOrion, orchestratorOrion, options);
    options?.onReport?.(report);
    return orion;
  };
}
