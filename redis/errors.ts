/** The typed errors of `orion-sync/redis` that are not about a lease. */

/** Why an event cannot be published: see {@link UnpublishableEventError}. */
export type UnpublishableReason =
  /** Its entry would be longer than the readers' `maxEntryLength`. */
  | "too-large"
  /** It is nested deeper than `MAX_EVENT_DEPTH`. */
  | "too-deep"
  /** It cannot be written as JSON (a circular value, a `BigInt`), or reads back as no event. */
  | "not-serialisable";

/**
 * An event no reader would accept: too large, too deep, or not serialisable. Nothing was
 * written. A worker fails the task whose result it was with this error (`name` and
 * `message` in the task's `error`) instead of publishing a completion nobody can read.
 */
export class UnpublishableEventError extends Error {
  /** Always `"UnpublishableEventError"`. */
  override readonly name = "UnpublishableEventError";
  /**
   * Made by the publisher; exported so callers can test `instanceof`.
   * @param reason - which limit the event breaks
   * @param detail - what exactly
   */
  constructor(
    readonly reason: UnpublishableReason,
    detail: string,
  ) {
    super(`toRedisStream: the event cannot be published as JSON (${detail})`);
  }
}

/**
 * The broker lost this orion's history or its fencing counter while a worker had state for
 * it (a restart without persistence, a `FLUSHALL`, a deleted stream), or a worker told to
 * resume found no history. The worker stopped without publishing anything more: re-running
 * the orion from scratch would run tasks that already ran.
 */
export class HistoryLostError extends Error {
  /** Always `"HistoryLostError"`. */
  override readonly name = "HistoryLostError";
  /**
   * Made by the worker; exported so callers can test `instanceof`.
   * @param orionId - the orion whose history is gone
   * @param detail - what was found missing
   */
  constructor(
    readonly orionId: string,
    detail: string,
  ) {
    super(
      `orion-sync: the broker lost the history of orion '${orionId}' (${detail}); this worker stopped`,
    );
  }
}
