/**
 * Task status: the six statuses, the type derived from them, and every rule about a single
 * status. One home, so that "not started" or "terminal" is written once.
 */
import type { Task } from "./types.js";

/** Every `TaskStatus`, in the order a task normally moves through them. */
export const taskStatuses = Object.freeze([
  "pending",
  "waiting_dependency",
  "running",
  "completed",
  "failed",
  "cancelled",
] as const);

/** A task's execution status, as UFO names it (lower case). */
export type TaskStatus = (typeof taskStatuses)[number];

/** Whether `value` is one of the six `TaskStatus` strings (for data that came from outside). */
export function isTaskStatus(value: unknown): value is TaskStatus {
  return statusCode(value) !== STATUS_UNKNOWN;
}

/**
 * Whether a status means "not started yet": `pending` or `waiting_dependency`. Such a task may
 * become ready, may be edited by the agent, and may be blocked. Takes any string, since it also
 * reads unvalidated data.
 * @internal
 */
export function isNotStarted(status: string): boolean {
  return status === "pending" || status === "waiting_dependency";
}

/** Whether a task in this status has finished for good: `completed`, `failed` or `cancelled`. */
export function isTerminalStatus(status: TaskStatus): boolean {
  return status === "completed" || status === "failed" || status === "cancelled";
}

/**
 * Whether the agent may still change a task's definition: only while it has not started
 * (`pending` or `waiting_dependency`). Once running or terminal, the orchestrator's definition
 * stands (see `mergeOrionStates`).
 */
export function isTaskModifiable(task: Pick<Task, "status">): boolean {
  return isNotStarted(task.status);
}

/**
 * How far a status has advanced: `pending` 0, `waiting_dependency` 1, `running` 2, and 3 for the
 * terminal `completed`, `failed` and `cancelled`. The merge keeps the orchestrator's execution
 * state unless the agent's is strictly more advanced. An unknown string (from unvalidated data)
 * is -1, below everything.
 */
export function statusLevel(status: TaskStatus): -1 | 0 | 1 | 2 | 3 {
  switch (statusCode(status)) {
    case STATUS_NOT_STARTED:
      return status === "pending" ? 0 : 1;
    case STATUS_RUNNING:
      return 2;
    case STATUS_UNKNOWN:
      return -1;
    default:
      return 3;
  }
}

// Status codes, for code that keeps a status per task in a typed array (`getReadyTasks`).
/** No task (an edge names a task that is not in the orion). @internal */
export const STATUS_MISSING = 0;
/** `pending` or `waiting_dependency`. @internal */
export const STATUS_NOT_STARTED = 1;
/** @internal */
export const STATUS_RUNNING = 2;
/** @internal */
export const STATUS_COMPLETED = 3;
/** @internal */
export const STATUS_FAILED = 4;
/** @internal */
export const STATUS_CANCELLED = 5;
/** Not a `TaskStatus` (unvalidated data). @internal */
export const STATUS_UNKNOWN = 6;

/** The code of a status; any other value is `STATUS_UNKNOWN`. @internal */
export function statusCode(status: unknown): number {
  switch (status) {
    case "pending":
    case "waiting_dependency":
      return STATUS_NOT_STARTED;
    case "running":
      return STATUS_RUNNING;
    case "completed":
      return STATUS_COMPLETED;
    case "failed":
      return STATUS_FAILED;
    case "cancelled":
      return STATUS_CANCELLED;
    default:
      return STATUS_UNKNOWN;
  }
}

/** Whether a status code is terminal (`completed`, `failed`, `cancelled`). @internal */
export function isTerminalCode(code: number): boolean {
  return code === STATUS_COMPLETED || code === STATUS_FAILED || code === STATUS_CANCELLED;
}
