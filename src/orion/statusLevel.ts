import type { TaskStatus } from "./types.js";

/**
 * How far a status has advanced: `pending` 0, `waiting_dependency` 1, `running` 2, and 3 for the
 * terminal `completed`, `failed` and `cancelled`. The merge keeps the orchestrator's execution
 * state unless the agent's is strictly more advanced. An unknown string (from unvalidated data)
 * is -1, below everything.
 */
export function statusLevel(status: TaskStatus): -1 | 0 | 1 | 2 | 3 {
  switch (status) {
    case "pending":
      return 0;
    case "waiting_dependency":
      return 1;
    case "running":
      return 2;
    case "completed":
    case "failed":
    case "cancelled":
      return 3;
    default:
      return -1;
  }
}
