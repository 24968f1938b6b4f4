/**
 * How an orion event is stored in a stream entry, and how replies are read back.
 *
 * An entry has the fields `v` (the format version, `"1"`), `event` (the event as JSON) and,
 * optionally, `origin` (who published it). Anything else is an invalid entry.
 */
import { InvalidEventError, parseOrionEvent, type OrionEvent } from "../src/events.js";

/** The entry format version written in the `v` field. */
export const STREAM_FORMAT_VERSION = "1";

/** One entry of a stream reply: its id and its flat `[field, value, ...]` list (null: deleted). */
export interface RawStreamEntry {
  readonly id: string;
  readonly fields: readonly string[] | null;
}

/** What a stream entry decodes to. */
export type DecodedEntry =
  | { readonly ok: true; readonly event: OrionEvent; readonly origin: string | undefined }
  | { readonly ok: false; readonly error: Error };

/** The fields of the entry that stores `event` (published by `origin`, if given). */
export function encodeOrionEvent(event: OrionEvent, origin?: string): string[] {
  const fields = ["v", STREAM_FORMAT_VERSION, "event", JSON.stringify(event)];
  if (origin !== undefined) fields.push("origin", origin);
  return fields;
}

/** The broker's time of entry `id` (`<ms>-<seq>`), in ms since the epoch. */
export function entryTime(id: string): number {
  const dash = id.indexOf("-");
  return Number(dash < 0 ? id : id.slice(0, dash));
}

/**
 * Decodes an entry; with `stamp`, a task event's `timestamp` becomes `stamp` (the entry's
 * time). Never throws.
 */
export function decodeStreamEntry(
  fields: readonly string[] | null,
  stamp: number | undefined,
): DecodedEntry {
  if (fields === null) return invalid("the entry was deleted");
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
