/**
 * How an orion event is stored in a stream entry, and how replies are read back.
 *
 * An entry has the fields `v` (the format version, `"1"`), `event` (the event as JSON) and,
 * optionally, `origin` (who published it). Anything else is an invalid entry.
 */
import { InvalidEventError, parseOrionEvent, type OrionEvent } from "../src/events.js";
import { UnpublishableEventError } from "./errors.js";

/** The entry format version written in the `v` field. */
export const STREAM_FORMAT_VERSION = "1";

/**
 * The deepest nesting of arrays and objects an event may have (the event object itself is
 * depth 1). A deeper entry is invalid, and `toRedisStream` refuses to publish a deeper
 * event: a value nested hundreds of thousands deep parses, but overflows the stack of
 * whatever walks it later (`JSON.stringify` of the recovered orion), in every reader.
 */
export const MAX_EVENT_DEPTH = 512;

/** The default largest entry a reader accepts, in characters of its fields: 16 MiB. */
export const DEFAULT_MAX_ENTRY_LENGTH = 16 * 2 ** 20;

/** Limits of {@link decodeStreamEntry}. */
export interface DecodeLimits {
  /** The largest entry, in characters of its fields. Default 16 MiB. */
  readonly maxEntryLength?: number;
}

/** One entry of a stream reply: its id and its flat `[field, value, ...]` list (null: deleted). */
export interface RawStreamEntry {
  readonly id: string;
  readonly fields: readonly string[] | null;
}

/** What a stream entry decodes to. */
export type DecodedEntry =
  | {
      /** The entry holds a valid event. */
      readonly ok: true;
      /** The event, validated by `parseOrionEvent`. */
      readonly event: OrionEvent;
      /** Who published it, if the publisher said (`toRedisStream`'s `origin`). */
      readonly origin: string | undefined;
    }
  | {
      /** The entry is not a valid event. */
      readonly ok: false;
      /** What is wrong with it. */
      readonly error: Error;
    };

/**
 * The fields of the entry that stores `event` (published by `origin`, if given). Throws
 * what `JSON.stringify` throws (a circular value, a `BigInt`): `toRedisStream` rejects.
 */
export function encodeOrionEvent(event: OrionEvent, origin?: string): string[] {
  const fields = ["v", STREAM_FORMAT_VERSION, "event", JSON.stringify(event)];
  if (origin !== undefined) fields.push("origin", origin);
  return fields;
}

/**
 * The fields of the entry for `value`, checked as a reader will check them, for publishers:
 * throws an `InvalidEventError` if `value` fails `parseOrionEvent`, an
 * {@link UnpublishableEventError} if its entry would be longer than `maxEntryLength`,
 * nested deeper than {@link MAX_EVENT_DEPTH}, not JSON, or would not decode back to an
 * event. What is written is the validated event's own fields: a `toJSON` on the event is
 * never called (it could turn a validated `TASK_COMPLETED` into any other event).
 */
export function encodeForPublish(
  value: OrionEvent,
  origin: string | undefined,
  limits: DecodeLimits = {},
): { readonly event: OrionEvent; readonly fields: string[] } {
  let copy: Record<string, unknown>;
  try {
    copy = ownFields(value);
  } catch (error) {
    throw new UnpublishableEventError(
      "not-serialisable",
      `reading it threw ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  // Validate the copy, not `value`: what is checked is exactly what is encoded.
  const event = parseOrionEvent(copy);
  if (event instanceof InvalidEventError) throw event;
  let fields: string[];
  try {
    fields = encodeOrionEvent(event, origin);
  } catch (error) {
    throw new UnpublishableEventError(
      "not-serialisable",
      error instanceof Error ? error.message : String(error),
    );
  }
  const maxEntryLength = limits.maxEntryLength ?? DEFAULT_MAX_ENTRY_LENGTH;
  let length = 0;
  for (const field of fields) length += field.length;
  if (length > maxEntryLength) {
    throw new UnpublishableEventError(
      "too-large",
      `its entry has ${length} characters, more than the readers' limit ${maxEntryLength}`,
    );
  }
  const json: unknown = fields[3];
  if (typeof json !== "string" || !json.startsWith("{")) {
    throw new UnpublishableEventError("not-serialisable", "it does not serialise to a JSON object");
  }
  if (jsonDepth(json) > MAX_EVENT_DEPTH) {
    throw new UnpublishableEventError("too-deep", `it is nested deeper than ${MAX_EVENT_DEPTH}`);
  }
  // The readers' own decoding: a nested toJSON (or anything else) that makes the entry
  // unreadable is refused here, not skipped by every reader later.
  const decoded = decodeStreamEntry(fields, undefined, { maxEntryLength });
  if (!decoded.ok) {
    throw new UnpublishableEventError(
      "not-serialisable",
      `a reader would refuse it: ${decoded.error.message}`,
    );
  }
  return { event, fields };
}

/** A plain copy of `value`'s own enumerable fields, without `toJSON` (read once each). */
function ownFields(value: unknown): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return value as Record<string, unknown>; // parseOrionEvent says what is wrong
  }
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    if (key === "toJSON") continue;
    const field: unknown = (value as Record<string, unknown>)[key];
    if (typeof field !== "function" && field !== undefined) copy[key] = field;
  }
  return copy;
}

/** The broker's time of entry `id` (`<ms>-<seq>`), in ms since the epoch. */
export function entryTime(id: string): number {
  const dash = id.indexOf("-");
  return Number(dash < 0 ? id : id.slice(0, dash));
}

/**
 * Decodes a stream entry's `[field, value, ...]` list (as `XRANGE` gives it) into an orion
 * event, the inverse of {@link encodeOrionEvent}; with `stamp`, a task event's `timestamp`
 * becomes `stamp` (the entry's time). Never throws: an entry that is deleted (`null`),
 * longer than `limits.maxEntryLength` characters (default 16 MiB), without `v: "1"`,
 * whose `event` is not JSON, is nested deeper than {@link MAX_EVENT_DEPTH}, or fails
 * `parseOrionEvent` decodes to `{ ok: false, error }`.
 */
export function decodeStreamEntry(
  fields: readonly string[] | null,
  stamp?: number,
  limits: DecodeLimits = {},
): DecodedEntry {
  if (fields === null) return invalid("the entry was deleted");
  const maxEntryLength = limits.maxEntryLength ?? DEFAULT_MAX_ENTRY_LENGTH;
  let length = 0;
  for (const field of fields) length += field.length;
  if (length > maxEntryLength) {
    return invalid(`the entry has ${length} characters, more than the limit ${maxEntryLength}`);
  }
  let version: string | undefined;
  let json: string | undefined;
  let origin: string | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const value = fields[i + 1] as string;
    switch (fields[i]) {
      case "v":
        version = value;
        break;
      case "event":
        json = value;
        break;
      case "origin":
        origin = value;
        break;
    }
  }
  if (version !== STREAM_FORMAT_VERSION) {
    return invalid(
      version === undefined
        ? "the entry has no version field `v`"
        : `unsupported entry version ${JSON.stringify(version)}`,
    );
  }
  if (json === undefined) return invalid("the entry has no `event` field");
  if (jsonDepth(json) > MAX_EVENT_DEPTH) {
    return invalid(`the event is nested deeper than ${MAX_EVENT_DEPTH}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    return invalid(`the event is not JSON (${(error as Error).message})`);
  }
  const event = parseOrionEvent(value);
  if (event instanceof InvalidEventError) return { ok: false, error: event };
  const stamped =
    stamp !== undefined &&
    (event.type === "TASK_STARTED" ||
      event.type === "TASK_COMPLETED" ||
      event.type === "TASK_FAILED")
      ? { ...event, timestamp: stamp }
      : event;
  return { ok: true, event: stamped, origin };
}

/** The deepest nesting of arrays and objects in a JSON text (not counting brackets in strings). */
export function jsonDepth(json: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > deepest) deepest = depth;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return deepest;
}

function invalid(message: string): DecodedEntry {
  return { ok: false, error: new Error(`invalid stream entry: ${message}`) };
}

/** The entries of an `XRANGE` / `XREVRANGE` reply (or of one stream of an `XREAD` reply). */
export function parseEntries(reply: unknown): RawStreamEntry[] {
  if (!Array.isArray(reply)) return [];
  const entries: RawStreamEntry[] = [];
  for (const item of reply as unknown[]) {
    if (!Array.isArray(item) || typeof item[0] !== "string") continue;
    const fields: unknown = item[1];
    entries.push({
      id: item[0],
      fields: Array.isArray(fields) ? fields.map((f: unknown) => String(f)) : null,
    });
  }
  return entries;
}

/** The entries of an `XREAD` / `XREADGROUP` reply on one stream (null: none). */
export function parseReadReply(reply: unknown): RawStreamEntry[] {
  if (!Array.isArray(reply)) return [];
  const first: unknown = reply[0];
  return Array.isArray(first) ? parseEntries(first[1]) : [];
}

/** Compares two stream ids: negative if `a` is older than `b`, 0 if equal. */
export function compareIds(a: string, b: string): number {
  const [am = "0", as = "0"] = a.split("-");
  const [bm = "0", bs = "0"] = b.split("-");
  const ms = BigInt(am) - BigInt(bm);
  if (ms !== 0n) return ms < 0n ? -1 : 1;
  const seq = BigInt(as) - BigInt(bs);
  return seq === 0n ? 0 : seq < 0n ? -1 : 1;
}
