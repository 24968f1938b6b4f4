/**
 * A new, empty, null-prototype record. Writing any key into it, `__proto__` included, creates an
 * own property: nothing is inherited and no prototype can be replaced.
 * @internal
 */
export function createRecord<T>(): { [key: string]: T } {
  return Object.create(null) as { [key: string]: T };
}
