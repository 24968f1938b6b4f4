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
