import type { TaskStatus } from "./types.js";

/** Every `TaskStatus`, in the order a task normally moves through them. */
export const taskStatuses: readonly TaskStatus[] = Object.freeze([
  "pending",
  "waiting_dependency",
  "running",
  "completed",
  "failed",
  "cancelled",
] as const);
