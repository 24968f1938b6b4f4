import { asyncScheduler, Observable, timer, type SchedulerLike, type Subscription } from "rxjs";
import type { OrionEvent } from "../src/events.js";
import { checkDelay, MAX_TIMEOUT } from "../src/internal/durations.js";
import type { RedisStreamClient } from "./RedisStreamClient.js";
import {
  compareIds,
  decodeStreamEntry,
  DEFAULT_MAX_ENTRY_LENGTH,
  entryTime,
  parseEntries,
  parseReadReply,
  type RawStreamEntry,
} from "./streamEntry.js";

/** An entry that is not an orion event: reported, acknowledged, never emitted. */
export interface InvalidStreamEntry {
  /** The stream it is in. */
  readonly stream: string;
  /** Its entry id. */
  readonly id: string;
  /** Its raw `[field, value, ...]` list (null: the entry was deleted before it was read). */
  readonly fields: readonly string[] | null;
  /** What is wrong: an `InvalidEventError`, or an `Error` about the entry's format. */
  readonly error: Error;
}

/** Options of {@link fromRedisStream}. */
export interface FromRedisStreamOptions {
  /** The stream key, e.g. `orionStreamKey(orionId)`. */
  readonly stream: string;
  /**
   * A consumer group: read with `XREADGROUP` and acknowledge (`XACK`) each entry once it
   * is applied. The group is created (`MKSTREAM`) at `from` if it does not exist. Without a
   * group, `XREAD` reads every entry after `from`, acknowledging nothing.
   */
  readonly group?: string;
  /**
   * The consumer name in `group`. Entries delivered to it and not acknowledged (the
   * process died) are delivered again when a consumer of that name reads, so give each
   * worker a name that survives its restarts. Default `"orion-sync"`.
   */
  readonly consumer?: string;
  /**
   * Without a group: read the entries after this id; `"0"` (default) replays the stream
   * from the beginning, `"$"` reads only entries added after the subscription, and a
   * stored id resumes after a checkpoint. With a group: where a group created now starts
   * (default `"0"`).
   */
  readonly from?: string;
  /** Entries per read (`COUNT`). Default 100. */
  readonly count?: number;
  /** How long one blocking read waits for new entries, in ms (`BLOCK`). Default 5000. */
  readonly blockMs?: number;
  /**
   * A task event's `timestamp`: `"entry"` (default) replaces it with the entry id's time,
   * the broker's clock when the entry was added, one clock for every publisher;
   * `"event"` keeps the publisher's.
   */
  readonly timestamp?: "entry" | "event";
  /** Entries whose `origin` field is this are skipped (and acknowledged): see `toRedisStream`. */
  readonly ignoreOrigin?: string;
  /** Called for each entry that is not a valid orion event (it is acknowledged and skipped). */
  readonly onInvalid?: (entry: InvalidStreamEntry) => void;
  /** Called for each failed read or acknowledgement before it is retried. */
  readonly onError?: (error: unknown) => void;
  /**
   * A read that has not answered this long after it was sent (in ms) is abandoned and
   * retried, like a failed one: the connection may be dead without knowing it, or the
   * client may have dropped the command on a reconnection (ioredis does, with
   * `autoResendUnfulfilledCommands: false`). Nothing is lost: a group re-reads what was
   * delivered to it. Default `blockMs + 5000`; with `blockMs: 0` (block forever), none.
   */
  readonly readTimeout?: number;
  /** How long to wait before retrying after an error, in ms. Default 500. */
  readonly retryDelay?: number;
  /**
   * How many times in a row a failure is retried: the next consecutive failure errors the
   * observable (`0`: the first failure does). Default: retry forever. An error the server
   * gives for the command itself (`WRONGTYPE`: the key is not a stream; `NOPERM`; `ERR`
   * unknown command, syntax error, invalid stream id, wrong number of arguments) is not
   * retried; other server errors (`ERR max number of clients reached`, `LOADING`...) are.
   */
  readonly maxRetries?: number;
  /**
   * The largest entry read, in characters of its fields (UTF-16 code units): a larger
   * entry is invalid (`onInvalid`, acknowledged, skipped). Default 16 MiB (`16 * 2 ** 20`).
   * An event nested deeper than {@link MAX_EVENT_DEPTH} is invalid too.
   */
  readonly maxEntryLength?: number;
  /** Where the retry delay runs. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  /**
   * A connection to read on, which you own and close (it is blocked while a read waits, so
   * do not use it for anything else meanwhile). Default: `client.duplicate()`, owned by
   * the subscription and closed when it ends.
   */
  readonly connection?: RedisStreamClient;
}

/**
 * The orion events of the Redis stream `options.stream`, as an observable for the
 * synchronizer (`synchronizer.connect(...)`, or `pendingModifications()`).
 *
 * Reading: blocking `XREAD` (or `XREADGROUP`), `count` entries at a time, on a dedicated
 * connection. Each entry is decoded (`v` must be `"1"`, `event` JSON that passes
 * `parseOrionEvent`); an invalid entry is passed to `onInvalid`, acknowledged and skipped,
 * never an error.
 *
 * Delivery: entries are emitted in stream order. With a `group`, an entry is acknowledged
 * only after `subscriber.next(event)` has returned for it, that is after a synchronous
 * downstream (the synchronizer's fold) has applied it: at-least-once. An entry emitted but
 * not acknowledged when the process dies is delivered again to the same consumer name (a
 * duplicate the fold ignores). With an asynchronous downstream, "applied" means only
 * "delivered". Within one subscription, no entry is emitted twice: read errors and broker
 * restarts are retried from the last entry emitted.
 *
 * Unsubscribing stops reading at once: the owned connection is disconnected (a read in
 * progress, or waiting offline for the broker, is abandoned: its entries are not emitted,
 * nor acknowledged), unless the subscription ends while a batch is emitted: then once the
 * batch's `XACK` has its reply, or 2 s later. Nothing else is closed: `client` is only
 * used to `duplicate()` it. A read with no reply after `readTimeout` is abandoned with its
 * owned connection, which is replaced by a fresh duplicate.
 *
 * @example
 * synchronizer.connect(fromRedisStream(redis, { stream: orionStreamKey(orionId) }));
 */
export function fromRedisStream(
  client: RedisStreamClient,
  options: FromRedisStreamOptions,
): Observable<OrionEvent> {
  const {
    stream,
    group,
    consumer = "orion-sync",
    count = 100,
    blockMs = 5000,
    timestamp = "entry",
    ignoreOrigin,
    onInvalid,
    onError,
    retryDelay = 500,
    maxRetries = Number.POSITIVE_INFINITY,
    scheduler = asyncScheduler,
    maxEntryLength = DEFAULT_MAX_ENTRY_LENGTH,
  } = options;
  const from = options.from ?? "0";
  const readTimeout =
    options.readTimeout ?? (blockMs === 0 ? 0 : Math.min(blockMs + 5000, MAX_TIMEOUT));
  if (from !== "$" && !/^\d+(-\d+)?$/.test(from)) {
    throw new RangeError(`fromRedisStream: from must be "$" or a stream id, got ${from}`);
  }
  if (!Number.isSafeInteger(count) || count < 1) {
    throw new RangeError(`fromRedisStream: count must be a positive integer, got ${count}`);
  }
  if (!Number.isSafeInteger(blockMs) || blockMs < 0 || blockMs > MAX_TIMEOUT) {
    throw new RangeError(
      `fromRedisStream: blockMs must be an integer from 0 to ${MAX_TIMEOUT}, got ${blockMs}`,
    );
  }
  checkDelay(readTimeout, "fromRedisStream: readTimeout");
  checkDelay(retryDelay, "fromRedisStream: retryDelay");
  if (
    maxRetries !== Number.POSITIVE_INFINITY &&
    !(Number.isSafeInteger(maxRetries) && maxRetries >= 0)
  ) {
    throw new RangeError(
      `fromRedisStream: maxRetries must be a non-negative integer or Infinity, got ${maxRetries}`,
    );
  }
  if (!Number.isSafeInteger(maxEntryLength) || maxEntryLength < 1) {
    throw new RangeError(
      `fromRedisStream: maxEntryLength must be a positive integer, got ${maxEntryLength}`,
    );
  }
  return new Observable<OrionEvent>((subscriber) => {
    const owned = options.connection === undefined;
    const open = (): RedisStreamClient => {
      const duplicate = client.duplicate();
      duplicate.on?.("error", () => undefined);
      return duplicate;
    };
    let connection = options.connection ?? open();
    let closed = false;
    // Between emitting a batch and the reply to its XACK: closing now would lose the ack.
    let acking = false;
    let disconnected = false;
    let grace: Subscription | undefined;
    /** Closes the owned connection at once (commands in flight are abandoned). */
    const close = (): void => {
      grace?.unsubscribe();
      if (!owned || disconnected) return;
      disconnected = true;
      connection.disconnect();
    };
    let wait: { subscription: Subscription; resolve: () => void } | undefined;
    let watchdog: Subscription | undefined;

    const sleep = (ms: number): Promise<void> =>
      new Promise((resolve) => {
        const done = (): void => {
          wait = undefined;
          resolve();
        };
        wait = { subscription: timer(ms, scheduler).subscribe(done), resolve: done };
      });

    /** Emits (or skips) `entries`; returns the ids to acknowledge. */
    const deliver = (
      entries: readonly RawStreamEntry[],
      emittedBefore: (id: string) => boolean,
    ): string[] => {
      const ids: string[] = [];
      for (const { id, fields } of entries) {
        if (closed) break;
        ids.push(id);
        if (emittedBefore(id)) continue; // emitted before a retry: not again
        const decoded = decodeStreamEntry(
          fields,
          timestamp === "entry" ? entryTime(id) : undefined,
          {
            maxEntryLength,
          },
        );
        if (!decoded.ok) {
          onInvalid?.({ stream, id, fields, error: decoded.error });
        } else if (ignoreOrigin === undefined || decoded.origin !== ignoreOrigin) {
          subscriber.next(decoded.event);
        }
      }
      return ids;
    };

    /** The reply to a read, or an error if it takes longer than `readTimeout`. */
    const read = (...args: (string | number)[]): Promise<unknown> => {
      const reply = connection.call(...(args as [string, ...(string | number)[]]));
      if (readTimeout === 0) return reply;
      return new Promise((resolve, reject) => {
        watchdog = timer(readTimeout, scheduler).subscribe(() => {
          if (owned) {
            // The abandoned read stays queued on that connection: a fresh one, not a pile-up.
            connection.disconnect();
            try {
              connection = open();
            } catch (error) {
              // No fresh connection: the loop's retry policy decides (the old one fails fast).
              reject(error);
              return;
            }
          }
          reject(new Error(`fromRedisStream: no reply to ${String(args[0])} in ${readTimeout} ms`));
        });
        const cancel = watchdog;
        reply.then(
          (value) => {
            cancel.unsubscribe();
            resolve(value);
          },
          (error: unknown) => {
            cancel.unsubscribe();
            reject(error);
          },
        );
      });
    };

    const ensureGroup = async (): Promise<void> => {
      try {
        await connection.call("XGROUP", "CREATE", stream, group as string, from, "MKSTREAM");
      } catch (error) {
        if (!messageOf(error).startsWith("BUSYGROUP")) throw error;
      }
    };

    const run = async (): Promise<void> => {
      // Without a group: the last entry handled (emitted or skipped), the XREAD cursor.
      let last = group === undefined ? from : "0-0";
      /** Group: entries emitted in this subscription whose XACK has not succeeded yet. */
      const unacked = new Set<string>();
      /** Group: when our unacknowledged entries were last re-read. */
      let backlogReadAt = scheduler.now();
      let failures = 0;
      let backlog = true; // group: re-read our own unacknowledged entries first
      let needGroup = group !== undefined;
      let resolveTail = group === undefined && from === "$";
      while (!closed) {
        try {
          if (needGroup) {
            await ensureGroup();
            if (closed) return;
            needGroup = false;
          }
          if (resolveTail) {
            // "$" means "after the current last entry": pin it, so a retry misses nothing.
            const tail = parseEntries(
              await connection.call("XREVRANGE", stream, "+", "-", "COUNT", 1),
            );
            if (closed) return;
            last = tail[0]?.id ?? "0-0";
            resolveTail = false;
          }
          const reply =
            group === undefined
              ? await read("XREAD", "COUNT", count, "BLOCK", blockMs, "STREAMS", stream, last)
              : await read(
                  "XREADGROUP",
                  "GROUP",
                  group,
                  consumer,
                  "COUNT",
                  count,
                  ...(backlog ? [] : ["BLOCK", blockMs]),
                  "STREAMS",
                  stream,
                  backlog ? "0" : ">",
                );
          if (closed) return;
          failures = 0;
          const entries = parseReadReply(reply);
          if (group === undefined) {
            const after = last;
            deliver(entries, (id) => compareIds(id, after) <= 0);
            const tail = entries[entries.length - 1];
            if (tail !== undefined && !closed) last = tail.id;
            continue;
          }
          if (backlog) backlogReadAt = scheduler.now();
          if (backlog && entries.length === 0) {
            backlog = false;
            continue;
          }
          if (!backlog && (entries.length === 0 || scheduler.now() - backlogReadAt > 5_000)) {
            // A read the broker ran but whose reply was lost (it crashed, and the client
            // resent the blocked read on the new connection, with no error to us) left its
            // entries delivered to us and never emitted: re-read our own unacknowledged
            // entries when idle, and every 5 s, so they come (late, but they come).
            backlog = true;
            if (entries.length === 0) continue;
          }
          acking = true;
          // A re-read of our unacknowledged entries skips those this subscription emitted.
          const ids = deliver(entries, (id) => unacked.has(id));
          if (ids.length > 0) {
            for (const id of ids) unacked.add(id);
            await connection.call("XACK", stream, group, ...ids);
            for (const id of ids) unacked.delete(id);
          }
          acking = false;
        } catch (error) {
          acking = false;
          if (closed) return;
          failures++;
          // A command the server refuses (a key that is not a stream...) will not get better.
          if (failures > maxRetries || FATAL.test(messageOf(error))) throw error;
          onError?.(error);
          if (messageOf(error).startsWith("NOGROUP")) needGroup = true;
          backlog = true; // anything delivered to us but not acknowledged is read again
          await sleep(retryDelay);
        }
      }
    };

    run()
      .then(
        () => undefined,
        (error: unknown) => {
          if (!closed) subscriber.error(error);
        },
      )
      // The loop is over (the acknowledgement of what was emitted has its reply): close.
      .finally(close);

    return () => {
      closed = true;
      watchdog?.unsubscribe();
      if (wait !== undefined) {
        wait.subscription.unsubscribe();
        wait.resolve();
      }
      if (!acking) {
        // A read (blocking, or queued while the broker is away) or the retry delay: abandon
        // it, nothing was emitted from it. `quit()` would wait for a broker that may be gone.
        close();
      } else if (owned) {
        // The batch's XACK is on its way: the loop closes once it has its reply, or after
        // a grace period (an entry not acknowledged is delivered again: at-least-once).
        grace = timer(ACK_GRACE_MS, scheduler).subscribe(close);
      }
    };
  });
}

/** How long an unsubscribed reader waits for its last acknowledgement before closing. */
const ACK_GRACE_MS = 2000;

/** Server errors about the command itself: retrying cannot help. */
const FATAL =
  /^(WRONGTYPE |NOPERM |ERR (unknown command|syntax error|Invalid stream ID|wrong number of arguments))/i;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
