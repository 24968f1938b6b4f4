import type { JsonValue } from "../types.js";

/**
 * Structural equality of two JSON values (own enumerable keys only; key order ignored).
 * `undefined` stands for an absent optional field and equals only itself.
 * @internal
 */
export function deepEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  const aIsArray = Array.isArray(a);
  if (aIsArray !== Array.isArray(b)) return false;
  if (aIsArray) {
    const bArray = b as readonly JsonValue[];
    if (a.length !== bArray.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], bArray[i])) return false;
    return true;
  }
  const aRecord = a as { readonly [key: string]: JsonValue };
  const bRecord = b as { readonly [key: string]: JsonValue };
  const keys = Object.keys(aRecord);
  if (keys.length !== Object.keys(bRecord).length) return false;
  for (const key of keys) {
    if (!Object.hasOwn(bRecord, key) || !deepEqual(aRecord[key], bRecord[key])) return false;
  }
  return true;
}
