import type { TaskStatus } from "./types.js";

/** Whether `value` is one of the six `TaskStatus` strings (for data that came from outside). */
export function isTaskStatus(value: unknown): value is TaskStatus {
  switch (value) {
    case "pending":
    case "waiting_dependency":
    case "running":
    case "completed":
    case "failed":
    case "cancelled":
      return true;
    default:
      return false;
  }
}
