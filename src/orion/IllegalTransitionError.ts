import type { TaskStatus } from "./types.js";

/**
 * Thrown when a task is asked to move to a status it cannot reach from its current one, such as
 * completing a task that already completed, or starting one that is running.
 */
export class IllegalTransitionError extends Error {
  /** Always `"IllegalTransitionError"`. */
  override readonly name = "IllegalTransitionError";

  /**
   * Describes the refused transition.
   * @param taskId - the task.
   * @param from - its current status.
   * @param to - the status it was asked to take.
   */
  constructor(
    readonly taskId: string,
    readonly from: TaskStatus,
    readonly to: TaskStatus,
  ) {
    super(`task ${JSON.stringify(taskId)} cannot go from ${from} to ${to}`);
  }
}
