import { UfoFormatError } from "../UfoFormatError.js";
import { describeValue } from "./jsonPath.js";

/**
 * One of `values` (lower case, as UFO writes them) from `value`, which may also be the member's
 * upper-case name as UFO's example files spell it (`PENDING` for `pending`). `null` or a missing
 * value gives `fallback`.
 * @internal
 */
export function readEnum<T extends string>(
  value: unknown,
  path: string,
  values: readonly T[],
  fallback: T,
): T {
  if (value === undefined || value === null) return fallback;
  if (typeof value === "string") {
    for (const candidate of values) {
      if (value === candidate || value === candidate.toUpperCase()) return candidate;
    }
  }
  const expected = values.map((v) => JSON.stringify(v)).join(", ");
  throw new UfoFormatError(
    path,
    `expected one of ${expected} (or its upper-case name), got ${describeValue(value)}`,
  );
}
