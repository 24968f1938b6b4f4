/**
 * A persistent (immutable, versioned) map with O(1) updates of the newest version.
 *
 * Every `set`/`delete` returns a new map and leaves the old one observably unchanged, as an
 * immutable state requires; but instead of copying (O(n)) or path-copying a trie
 * (O(log n)), all versions share one mutable `Map` and each older version is a *diff* that
 * says how it differs from a newer one (Baker's rerooting trick, as in Conchon &
 * Filliâtre's persistent arrays). Reading or updating a version first "reroots" the shared
 * `Map` to it, replaying the diffs between it and the current root; on the newest version,
 * which is what a fold touches, that costs nothing. Reading an old version costs the
 * number of updates between it and the root, once, after which it is the root.
 *
 * `size` is stored per version, so reading it never reroots. Iteration snapshots the
 * entries first, so callbacks may read other versions (or update this map) while iterating.
 */

const ABSENT: unique symbol = Symbol("absent");
type Slot<V> = V | typeof ABSENT;

/** A version: the root (holding the shared map) or a diff against a newer version. */
interface VersionNode<K, V> {
  data: Map<K, V> | null;
  key: K | undefined;
  value: Slot<V>;
  next: VersionNode<K, V> | null;
}

function reroot<K, V>(node: VersionNode<K, V>): Map<K, V> {
  if (node.data !== null) return node.data;
  const path: VersionNode<K, V>[] = [];
  let root: VersionNode<K, V> = node;
  while (root.data === null) {
    path.push(root);
    root = root.next as VersionNode<K, V>;
  }
  const data = root.data;
  let parent = root;
  for (let i = path.length - 1; i >= 0; i--) {
    const child = path[i] as VersionNode<K, V>;
    const key = child.key as K;
    const old: Slot<V> = data.has(key) ? (data.get(key) as V) : ABSENT;
    if (child.value === ABSENT) data.delete(key);
    else data.set(key, child.value);
    // The old root becomes a diff against the child, which becomes the root.
    parent.data = null;
    parent.key = key;
    parent.value = old;
    parent.next = child;
    child.data = data;
    child.key = undefined;
    child.value = ABSENT;
    child.next = null;
    parent = child;
  }
  return data;
}

/** A persistent map: see the module comment. Create one with {@link PersistentMap.empty}. */
export class PersistentMap<K, V> implements ReadonlyMap<K, V> {
  /** An empty map. */
  static empty<K, V>(): PersistentMap<K, V> {
    return new PersistentMap<K, V>(
      { data: new Map(), key: undefined, value: ABSENT, next: null },
      0,
    );
  }

  private constructor(
    private readonly node: VersionNode<K, V>,
    /** The number of entries of this version. O(1), never reroots. */
    readonly size: number,
  ) {}

  /** The value for `key` in this version. */
  get(key: K): V | undefined {
    return reroot(this.node).get(key);
  }

  /** Whether this version has `key`. */
  has(key: K): boolean {
    return reroot(this.node).has(key);
  }

  /** A new version with `key` set to `value` (this one if it already was). */
  set(key: K, value: V): PersistentMap<K, V> {
    return this.update(key, value);
  }

  /** A new version without `key` (this one if it had none). */
  delete(key: K): PersistentMap<K, V> {
    return this.update(key, ABSENT);
  }

  private update(key: K, value: Slot<V>): PersistentMap<K, V> {
    const data = reroot(this.node);
    const had = data.has(key);
    const old: Slot<V> = had ? (data.get(key) as V) : ABSENT;
    if (old === value) return this;
    if (value === ABSENT) data.delete(key);
    else data.set(key, value);
    const root: VersionNode<K, V> = { data, key: undefined, value: ABSENT, next: null };
    const previous = this.node;
    previous.data = null;
    previous.key = key;
    previous.value = old;
    previous.next = root;
    const size = this.size + (value === ABSENT ? -1 : had ? 0 : 1);
    return new PersistentMap(root, size);
  }

  /**
   * This version's entries. The order is the shared map's insertion order, which rerooting to
   * an older version changes: do not rely on it.
   */
  entries(): MapIterator<[K, V]> {
    return Array.from(reroot(this.node).entries()).values();
  }

  /** This version's keys. */
  keys(): MapIterator<K> {
    return Array.from(reroot(this.node).keys()).values();
  }

  /** This version's values. */
  values(): MapIterator<V> {
    return Array.from(reroot(this.node).values()).values();
  }

  /** Calls `callback` for each entry of this version. */
  forEach(callback: (value: V, key: K, map: ReadonlyMap<K, V>) => void, thisArg?: unknown): void {
    for (const [key, value] of this.entries()) callback.call(thisArg, value, key, this);
  }

  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }

  get [Symbol.toStringTag](): string {
    return "PersistentMap";
  }
}
