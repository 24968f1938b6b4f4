import type { TaskStatus } from "./types.js";

/** Whether a task in this status has finished for good: `completed`, `failed` or `cancelled`. */
export function isTerminalStatus(status: TaskStatus): boolean {
  return status === "completed" || status === "failed" || status === "cancelled";
}
