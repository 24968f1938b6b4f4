import type { SynchronizerLogger } from "../synchronizer.js";

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
