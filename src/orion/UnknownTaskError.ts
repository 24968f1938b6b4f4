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
