import type { OrionIssue } from "./validateOrion.js";

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
