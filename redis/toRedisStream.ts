import { InvalidEventError, parseOrionEvent, type OrionEvent } from "../src/events.js";
import type { RedisStreamClient } from "./RedisStreamClient.js";
import { encodeOrionEvent } from "./streamEntry.js";

/** Options of {@link toRedisStream}. */
export interface ToRedisStreamOptions {
  /**
   * Written in each entry's `origin` field: a reader given the same `ignoreOrigin` skips
   * these entries (a worker that applied its own events at once does not apply them twice).
   */
  readonly origin?: string;
}

/** What {@link toRedisStream} returns. */
export interface RedisStreamPublisher {
  /** The stream it appends to. */
  readonly stream: string;
  /**
   * Appends `event` to the stream (`XADD`, the broker chooses the id) and resolves to the
   * entry id once the broker has it. Events published by one publisher are appended in
   * the order of the calls. Rejects with an `InvalidEventError` (nothing is written) if
   * `event` fails `parseOrionEvent`, or with the client's error.
   */
  publish(event: OrionEvent): Promise<string>;
}

/**
 * A publisher of orion events on the Redis stream `stream`, for orchestrators and agents:
 * each event becomes one entry `{ v: "1", event: <JSON> }` (see `fromRedisStream`).
 * Nothing is owned: the client stays open.
 *
 * @example
 * const publisher = toRedisStream(redis, orionStreamKey(orion.id));
 * await publisher.publish({ type: "ORION_MODIFIED", orionId: orion.id, onTaskIds: ["a"] });
 */
export function toRedisStream(
  client: RedisStreamClient,
  stream: string,
  options: ToRedisStreamOptions = {},
): RedisStreamPublisher {
  const origin = options.origin;
  return {
    stream,
    publish: (event) => {
      const parsed = parseOrionEvent(event);
      if (parsed instanceof InvalidEventError) return Promise.reject(parsed);
      return client
        .call("XADD", stream, "*", ...encodeOrionEvent(parsed, origin))
        .then((id) => String(id));
    },
  };
}
