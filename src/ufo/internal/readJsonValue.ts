import type { JsonValue } from "../../orion/types.js";
import { createRecord } from "../../orion/internal/createRecord.js";
import { UfoFormatError } from "../UfoFormatError.js";
import { childPath, describeValue } from "./jsonPath.js";

/** How deep JSON may nest before reading gives up (instead of overflowing the stack). @internal */
export const MAX_JSON_DEPTH = 200;

/**
 * A deep copy of `value` if it is JSON data: `null`, booleans, finite numbers, strings, arrays,
 * and plain objects (copied into null-prototype objects, so a `__proto__` key is just a key).
 * Anything else (`undefined`, functions, class instances, cycles, `NaN`...) is a `UfoFormatError`
 * at its path.
 * @internal
 */
export function readJsonValue(value: unknown, path: string): JsonValue {
  return read(value, path, 0, new Set<object>());
}

/** `readJsonValue` for a value that must be a JSON object. @internal */
export function readJsonObject(value: unknown, path: string): { [key: string]: JsonValue } {
  if (!isPlainObject(value))
    throw new UfoFormatError(path, `expected an object, got ${describeValue(value)}`);
  return read(value, path, 0, new Set<object>()) as { [key: string]: JsonValue };
}

/** Whether `value` is an object with `Object.prototype` or no prototype (what JSON makes). @internal */
export function isPlainObject(value: unknown): value is { readonly [key: string]: unknown } {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === null || prototype === Object.prototype;
}

function read(value: unknown, path: string, depth: number, ancestors: Set<object>): JsonValue {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      if (!Number.isFinite(value))
        throw new UfoFormatError(path, `expected a finite number, got ${value}`);
      return value;
    case "object":
      break;
    default:
      throw new UfoFormatError(path, `expected a JSON value, got ${describeValue(value)}`);
  }
  if (value === null) return null;
  if (depth >= MAX_JSON_DEPTH) {
    throw new UfoFormatError(path, `nested more than ${MAX_JSON_DEPTH} levels deep`);
  }
  if (ancestors.has(value)) throw new UfoFormatError(path, "circular reference");
  ancestors.add(value);
  let copy: JsonValue;
  if (Array.isArray(value)) {
    const items: unknown[] = value;
    copy = Array.from({ length: items.length }, (_, i) =>
      read(items[i], childPath(path, i), depth + 1, ancestors),
    );
  } else if (isPlainObject(value)) {
    const record = createRecord<JsonValue>();
    for (const key of Object.keys(value)) {
      record[key] = read(value[key], childPath(path, key), depth + 1, ancestors);
    }
    copy = record;
  } else {
    throw new UfoFormatError(path, "expected a JSON value, got a non-plain object");
  }
  ancestors.delete(value);
  return copy;
}
