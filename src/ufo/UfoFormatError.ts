/**
 * Thrown by `fromUfoJson` for input that is not a UFO constellation it can read. `path` is the
 * JSON path of the offending value (`tasks[2].status`, `tasks["task_001"].priority`, or `$` for
 * the document itself) and the message starts with it.
 */
export class UfoFormatError extends Error {
  /** Always `"UfoFormatError"`. */
  override readonly name = "UfoFormatError";

  /**
   * The message is `<path>: <detail>`.
   * @param path - where in the document the problem is.
   * @param detail - what is wrong there, e.g. `expected a string, got 42`.
   * @param options - the underlying error, if any, as `cause`.
   */
  constructor(
    readonly path: string,
    readonly detail: string,
    options?: { readonly cause?: unknown },
  ) {
    super(`${path}: ${detail}`, options);
  }
}
