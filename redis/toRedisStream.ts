import { InvalidEventError, parseOrionEvent, type OrionEvent } from "../src/events.js";
import type { RedisStreamClient } from "./RedisStreamClient.js";
import { encodeOrionEvent, jsonDepth, MAX_EVENT_DEPTH } from "./streamEntry.js";

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
   * the order of the calls. Never throws: rejects with an `InvalidEventError` (nothing is
   * written) if `event` fails `parseOrionEvent`, with an `Error` (nothing is written) if it
   * cannot be encoded (a circular value, a `BigInt`, nested deeper than `MAX_EVENT_DEPTH`:
   * readers would skip it), or with the client's error.
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
      let fields: string[];
      try {
        const parsed = parseOrionEvent(event);
        if (parsed instanceof InvalidEventError) return Promise.reject(parsed);
        fields = encodeOrionEvent(parsed, origin);
        // A toJSON() may turn the event into undefined or a string: not an entry readers take.
        const json: unknown = fields[3];
        if (typeof json !== "string" || !json.startsWith("{")) {
          return Promise.reject(cannotEncode("it does not serialise to a JSON object"));
        }
        if (jsonDepth(json) > MAX_EVENT_DEPTH) {
          return Promise.reject(cannotEncode(`it is nested deeper than ${MAX_EVENT_DEPTH}`));
        }
      } catch (error) {
        return Promise.reject(cannotEncode(error instanceof Error ? error.message : String(error)));
      }
      try {
        return client.call("XADD", stream, "*", ...fields).then((id) => String(id));
      } catch (error) {
        return Promise.reject(error);
      }
    },
  };
}

function cannotEncode(reason: string): Error {
  return new Error(`toRedisStream: the event cannot be published as JSON (${reason})`);
}
