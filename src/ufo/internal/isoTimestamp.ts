import { UfoFormatError } from "../UfoFormatError.js";
import { describeValue } from "./jsonPath.js";

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * Epoch milliseconds from an ISO 8601 timestamp as Python's `isoformat()` writes it
 * (`2025-09-29T06:58:36.713140+00:00`). A timestamp without an offset (a naive Python datetime)
 * is read as UTC, so the result does not depend on the reader's time zone. Precision is kept to
 * the microsecond, Python's, and further digits are dropped.
 * @internal
 */
export function parseIsoTimestamp(value: unknown, path: string): number {
  const match = typeof value === "string" ? ISO.exec(value) : null;
  if (match === null) {
    throw new UfoFormatError(
      path,
      `expected an ISO 8601 timestamp or null, got ${describeValue(value)}`,
    );
  }
  const [, y, mo, d, h = "0", mi = "0", s = "0", fraction = "", offset = "Z"] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  const offsetMatch = /^([+-])(\d{2}):?(\d{2})?$/.exec(offset);
  const offsetHours = offsetMatch === null ? 0 : Number(offsetMatch[2]);
  const offsetMinutes = offsetMatch === null ? 0 : Number(offsetMatch[3] ?? "0");
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth(year, month) ||
    hour > 23 ||
    minute > 59 ||
    second > 59 ||
    offsetHours > 23 ||
    offsetMinutes > 59
  ) {
    throw new UfoFormatError(path, `expected a valid date and time, got ${describeValue(value)}`);
  }
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  const sign = offsetMatch?.[1] === "-" ? -1 : 1;
  const wholeMs = date.getTime() - sign * (offsetHours * 60 + offsetMinutes) * 60_000;
  const micros = Number(fraction.slice(0, 6).padEnd(6, "0"));
  return micros === 0 ? wholeMs : wholeMs + micros / 1000;
}

/**
 * The ISO 8601 form Python's `datetime.isoformat()` gives a UTC time: microseconds only when
 * there are some, and a `+00:00` offset (`2025-09-29T06:58:36.713140+00:00`).
 * @internal
 */
export function formatIsoTimestamp(ms: number): string {
  let wholeMs = Math.floor(ms);
  let subMicros = Math.round((ms - wholeMs) * 1000); // exact subtraction: ms and wholeMs are close
  if (subMicros === 1000) {
    wholeMs += 1;
    subMicros = 0;
  }
  const iso = new Date(wholeMs).toISOString(); // "2025-09-29T06:58:36.713Z"; throws beyond ±275,760 years
  const millis = wholeMs - Math.floor(wholeMs / 1000) * 1000;
  const fraction = millis * 1000 + subMicros;
  const base = iso.slice(0, iso.indexOf("."));
  return fraction === 0 ? `${base}+00:00` : `${base}.${String(fraction).padStart(6, "0")}+00:00`;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}
