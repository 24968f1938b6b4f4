import { countStatuses } from "./internal/countStatuses.js";
import { stateFromCounts } from "./internal/stateFromCounts.js";
import type { OrionState, TaskOrion } from "./types.js";

/**
 * The orion's state as UFO's `TaskConstellation.update_state` derives it from its tasks:
 * - no tasks: `created`;
 * - every task terminal: `failed` if some failed and none completed, `partially_failed` if some
 *   failed and some completed, otherwise `completed` (and `cancelled` when every task was
 *   cancelled, a case UFO's enum has no name for);
 * - otherwise `executing` if any task is running or completed;
 * - otherwise `ready`.
 *
 * O(tasks).
 */
export function deriveOrionState(orion: Pick<TaskOrion, "tasks">): OrionState {
  return stateFromCounts(countStatuses(orion.tasks));
}
