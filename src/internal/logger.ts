/**
 * The synchronizer's logger: its interface lives here, below the synchronizer, so that the
 * guard that wraps it imports nothing from above.
 */

/** Where the synchronizer logs: `console` fits, and so do pino, winston and the like. */
export interface SynchronizerLogger {
  /** Registrations, completions and ignored duplicates. */
  debug(message: string, ...details: unknown[]): void;
  /** Late answers (the modification had already timed out or been cleared). */
  info(message: string, ...details: unknown[]): void;
  /** Timeouts, clears and invalid events. */
  warn(message: string, ...details: unknown[]): void;
  /** A failed fold or event stream, or an agent orion the merge refused. */
  error(message: string, ...details: unknown[]): void;
}

/**
 * `logger`, with every call guarded: a logger that throws (a full disk, a closed transport, a
 * bug) loses its line, never a state, a merge or the fold's error on its way to the gates.
 */
export function guardLogger(logger: SynchronizerLogger): SynchronizerLogger {
  const guard =
    (level: keyof SynchronizerLogger) =>
    (message: string, ...details: unknown[]): void => {
      try {
        logger[level](message, ...details);
      } catch {
        // Logging is best effort; see above.
      }
    };
  return { debug: guard("debug"), info: guard("info"), warn: guard("warn"), error: guard("error") };
}
