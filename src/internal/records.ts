/**
 * Reading records that came from outside: whether a value is one, and what a record holds under
 * a key of its own (never an inherited property, so keys such as `constructor` or `__proto__`
 * are safe). One home for the events, the model and the CLI.
 */

/** Whether `value` is an object that is neither `null` nor an array. @internal */
export function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The value stored under `key` in a record, or `undefined` when the record has no own property
 * of that name. Never reads inherited properties, so task ids such as `constructor` or
 * `__proto__` are looked up safely in ordinary and null-prototype records alike.
 * @internal
 */
export function getOwn<T>(record: { readonly [key: string]: T }, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/**
 * `getOwn` bound to one record, for hot loops: a null-prototype record (what the builders and
 * `fromUfoJson` make) inherits nothing, so a plain property read is already safe and costs one
 * hash lookup instead of two.
 * @internal
 */
export function ownReader<T>(record: {
  readonly [key: string]: T;
}): (key: string) => T | undefined {
  return Object.getPrototypeOf(record) === null
    ? (key) => record[key]
    : (key) => (Object.hasOwn(record, key) ? record[key] : undefined);
}
