import type { Task } from "./types.js";

/**
 * Whether the agent may still change a task's definition: only while it has not started
 * (`pending` or `waiting_dependency`). Once running or terminal, the orchestrator's definition
 * stands (see `mergeOrionStates`).
 */
export function isTaskModifiable(task: Pick<Task, "status">): boolean {
  return task.status === "pending" || task.status === "waiting_dependency";
}
