/**
 * Recipe: the facade's timeouts. `setModificationTimeout` changes how long new
 * modifications may stay pending; `waitForPendingModifications(timeout)` bounds one wait.
 */
import type { OrionModificationSynchronizer, TaskOrion } from "../../src/index.js";

export async function nextStep(
  synchronizer: OrionModificationSynchronizer,
  orchestratorOrion: TaskOrion,
  log: (line: string) => void,
): Promise<TaskOrion> {
  // A slower model was configured: give its edits more time (pending ones keep theirs).
  synchronizer.setModificationTimeout(15 * 60_000);
  // Wait at most 2 minutes at this step. On `false`, what was pending for the whole wait
  // was cleared and counted as timed out, so the next wait does not stall on it again;
  // what registered during the wait keeps its own timeout.
  const settled = await synchronizer.waitForPendingModifications(2 * 60_000);
  if (!settled)
    log(`going on without ${synchronizer.getStatistics().timeoutModifications} edit(s)`);
  // Either way, start from the agent's latest orion merged with our execution state.
  return synchronizer.mergeAndSyncOrionStates(orchestratorOrion);
}
