import type { OrionEvent } from "../src/events.js";
import type { RedisStreamClient } from "./RedisStreamClient.js";
import { encodeForPublish } from "./streamEntry.js";

/** Options of {@link toRedisStream}. */
export interface ToRedisStreamOptions {
  /**
   * Written in each entry's `origin` field: a reader given the same `ignoreOrigin` skips
   * these entries (a worker that applied its own events at once does not apply them twice).
   */
  readonly origin?: string;
  /**
   * The largest entry to write, in characters of its fields: the readers' `maxEntryLength`
   * (default 16 MiB, theirs too). A larger event is refused, not written for nobody.
   */
  readonly maxEntryLength?: number;
}

/** What {@link toRedisStream} returns. */
export interface RedisStreamPublisher {
  /** The stream it appends to. */
  readonly stream: string;
  /**
   * Appends `event` to the stream (`XADD`, the broker chooses the id) and resolves to the
   * entry id once the broker has it. Events published by one publisher are appended in
   * the order of the calls. What is written is the validated event's own fields (its
   * `toJSON`, if any, is not called). Never throws: rejects with an `InvalidEventError`
   * (nothing is written) if `event` fails `parseOrionEvent`, with an
   * `UnpublishableEventError` (nothing is written) if a reader would refuse its entry (longer
   * than `maxEntryLength`, nested deeper than `MAX_EVENT_DEPTH`, a circular value, a
   * `BigInt`), or with the client's error.
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
  const limits =
    options.maxEntryLength === undefined ? {} : { maxEntryLength: options.maxEntryLength };
  return {
    stream,
    publish: (event) => {
      let fields: string[];
      try {
        fields = encodeForPublish(event, origin, limits).fields;
      } catch (error) {
        return Promise.reject(error as Error);
      }
      try {
        return client.call("XADD", stream, "*", ...fields).then((id) => String(id));
      } catch (error) {
        return Promise.reject(error as Error);
      }
    },
  };
}
