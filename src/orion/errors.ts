/**
 * The model's errors: every one names the orion (or task) and what was refused, so that a
 * caller can tell them apart by class and by `name` (which survives serialisation).
 */
import type { OrionIssue } from "./validateOrion.js";
import type { TaskStatus } from "./taskStatus.js";

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

/**
 * An orion that `validateOrion` rejected, with every problem it found. The merge reports this
 * (it does not throw it) when the agent's edits would make the orion invalid.
 */
export class InvalidOrionError extends Error {
  /** Always `"InvalidOrionError"`. */
  override readonly name = "InvalidOrionError";

  /**
   * Describes the invalid orion; the message summarises `errors`.
   * @param orionId - the orion that is invalid.
   * @param errors - what is wrong with it, at least one entry.
   */
  constructor(
    readonly orionId: string,
    readonly errors: readonly OrionIssue[],
  ) {
    super(
      `orion ${JSON.stringify(orionId)} is invalid: ${errors.map((error) => error.message).join("; ")}`,
    );
  }
}

/** Thrown by `topologicalOrder` when the orion's dependencies form a cycle. */
export class OrionCycleError extends Error {
  /** Always `"OrionCycleError"`. */
  override readonly name = "OrionCycleError";

  /**
   * Describes the cycle; the message shows its path.
   * @param orionId - the orion that has the cycle.
   * @param path - the cycle's task ids in edge direction, the first repeated at the end
   *   (`["a", "b", "a"]` for a → b → a).
   */
  constructor(
    readonly orionId: string,
    readonly path: readonly string[],
  ) {
    super(`orion ${JSON.stringify(orionId)} has a dependency cycle: ${path.join(" -> ")}`);
  }
}

/** Thrown when an operation names a task the orion does not have. */
export class UnknownTaskError extends Error {
  /** Always `"UnknownTaskError"`. */
  override readonly name = "UnknownTaskError";

  /**
   * Names the orion and the missing task.
   * @param orionId - the orion that was searched.
   * @param taskId - the id that matched no task.
   */
  constructor(
    readonly orionId: string,
    readonly taskId: string,
  ) {
    super(`orion ${JSON.stringify(orionId)} has no task ${JSON.stringify(taskId)}`);
  }
}
