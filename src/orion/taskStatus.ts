/**
 * Task status: the six statuses, the type derived from them, and every rule about a single
 * status. One home, so that "not started" or "terminal" is written once: on the codes of the
 * `STATUS` table, which the string forms (`isNotStarted`, `isTerminalStatus`) look up.
 */
import type { Task } from "./types.js";

// The list the type is derived from; exported widened, as `taskStatuses`.
const TASK_STATUSES = [
  "pending",
  "waiting_dependency",
  "running",
  "completed",
  "failed",
  "cancelled",
] as const;

/**
 * A task's execution status, as UFO names it (lower case).
 * @useDeclaredType
 */
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** Every `TaskStatus`, in the order a task normally moves through them. */
export const taskStatuses: readonly TaskStatus[] = Object.freeze(TASK_STATUSES);

/** Whether `value` is one of the six `TaskStatus` strings (for data that came from outside). */
export function isTaskStatus(value: unknown): value is TaskStatus {
  return statusCode(value) !== STATUS.unknown;
}

/**
 * Whether a status means "not started yet": `pending` or `waiting_dependency`. Such a task may
 * become ready, may be edited by the agent, and may be blocked. Takes any string, since it also
 * reads unvalidated data.
 * @internal
 */
export function isNotStarted(status: string): boolean {
  return statusCode(status) === STATUS.notStarted;
}

/** Whether a task in this status has finished for good: `completed`, `failed` or `cancelled`. */
export function isTerminalStatus(status: TaskStatus): boolean {
  return isTerminalCode(statusCode(status));
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
    case STATUS.notStarted:
      return status === "pending" ? 0 : 1;
    case STATUS.running:
      return 2;
    case STATUS.unknown:
      return -1;
    default:
      return 3;
  }
}

/**
 * Status codes, for code that keeps a status per task in a typed array (`getReadyTasks`):
 * `missing` for a task an edge names that the orion does not have, `unknown` for a value that is
 * not a `TaskStatus` (unvalidated data).
 * @internal
 */
export const STATUS = Object.freeze({
  missing: 0,
  notStarted: 1,
  running: 2,
  completed: 3,
  failed: 4,
  cancelled: 5,
  unknown: 6,
} as const);

const codes: ReadonlyMap<unknown, number> = new Map<unknown, number>([
  ["pending", STATUS.notStarted],
  ["waiting_dependency", STATUS.notStarted],
  ["running", STATUS.running],
  ["completed", STATUS.completed],
  ["failed", STATUS.failed],
  ["cancelled", STATUS.cancelled],
]);

/** The code of a status; any other value is `STATUS.unknown`. @internal */
export function statusCode(status: unknown): number {
  return codes.get(status) ?? STATUS.unknown;
}

/** Whether a status code is terminal (`completed`, `failed`, `cancelled`). @internal */
export function isTerminalCode(code: number): boolean {
  return code === STATUS.completed || code === STATUS.failed || code === STATUS.cancelled;
}
