/**
 * The part of `ReadonlyMap` that follows from `get` and `entries`, for maps that compute their
 * entries instead of storing them (the fold state's views). Their values are never
 * `undefined`, so `has` is a `get`; keys and values are taken from one pass over `entries`,
 * which such a map builds anyway.
 */
export abstract class ReadonlyMapBase<K, V> implements ReadonlyMap<K, V> {
  abstract readonly size: number;

  abstract get(key: K): V | undefined;

  abstract entries(): MapIterator<[K, V]>;

  abstract get [Symbol.toStringTag](): string;

  /** Whether `key` has a value. */
  has(key: K): boolean {
    return this.get(key) !== undefined;
  }

  /** The keys, in the order of `entries`. */
  keys(): MapIterator<K> {
    return Array.from(this.entries(), ([key]) => key).values();
  }

  /** The values, in the order of `entries`. */
  values(): MapIterator<V> {
    return Array.from(this.entries(), ([, value]) => value).values();
  }

  /** Calls `callback` for each entry, in the order of `entries`. */
  forEach(callback: (value: V, key: K, map: ReadonlyMap<K, V>) => void, thisArg?: unknown): void {
    for (const [key, value] of this.entries()) callback.call(thisArg, value, key, this);
  }

  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }
}
