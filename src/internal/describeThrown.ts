/**
 * What was thrown, in words: `Name: message` for an error, `String(value)` otherwise, and
 * never a throw itself (a thrown value may be a proxy, a null-prototype object or an error
 * whose `message` getter throws), so a `catch` that reports it cannot fail in turn.
 */
export function describeThrown(error: unknown): string {
  try {
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  } catch {
    return "a value that cannot be printed";
  }
}
