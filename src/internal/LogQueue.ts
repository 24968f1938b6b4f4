/**
 * A persistent first-in-first-out queue of key–value pairs whose versions share one
 * append-only log: a version is a window `[start, end)` on it.
 *
 * The fold queues every record it will forget (thousands a second) and drops them from the
 * front. A linked-list queue allocated a cell, a pair and a queue object per push and more per
 * pop, all of them long-lived; here a push appends to two arrays and makes one small window
 * object, and dropping any number of entries makes one. Older versions stay valid: a push
 * appends in place only from the newest window at the log's end, and any other version (an
 * older state reduced again) first copies its own window, O(its length), which a fold used
 * linearly never does. Entries dropped from the front stay in the log until a push finds more
 * dead entries than live ones and copies the live ones to a fresh log: amortised O(1), and
 * at most about twice the live entries are kept.
 */

/** The shared log: `keys[i]` and `values[i]` are the entry at queue position `offset + i`. */
interface Log<K, V> {
  readonly keys: K[];
  readonly values: V[];
  readonly offset: number;
}

/** Dead entries a log may hold before a push compacts it, at least. */
const COMPACT_AFTER = 64;

/** A queue version: see the module comment. Create one with {@link LogQueue.empty}. */
export class LogQueue<K, V> {
  /** The empty queue. */
  static empty<K, V>(): LogQueue<K, V> {
    return new LogQueue<K, V>({ keys: [], values: [], offset: 0 }, 0, 0);
  }

  private constructor(
    private readonly log: Log<K, V>,
    /** The queue position of this version's oldest entry. */
    private readonly start: number,
    /** One past the queue position of this version's newest entry. */
    private readonly end: number,
  ) {}

  /** How many entries this version holds. */
  get length(): number {
    return this.end - this.start;
  }

  /** The key of the entry `i` places from the front (`0`: the oldest); `i < length`. */
  keyAt(i: number): K {
    return this.log.keys[this.start - this.log.offset + i]!;
  }

  /** The value of the entry `i` places from the front; `i < length`. */
  valueAt(i: number): V {
    return this.log.values[this.start - this.log.offset + i]!;
  }

  /** A new version with `key`, `value` at the end. */
  push(key: K, value: V): LogQueue<K, V> {
    let log = this.log;
    const dead = this.start - log.offset;
    if (this.end !== log.offset + log.keys.length || dead > Math.max(COMPACT_AFTER, this.length)) {
      // Another version appended after this one, or the log is mostly dead: this version
      // continues on a copy of its own window (older versions keep the old log).
      const from = dead;
      const to = this.end - log.offset;
      log = {
        keys: log.keys.slice(from, to),
        values: log.values.slice(from, to),
        offset: this.start,
      };
    }
    log.keys.push(key);
    log.values.push(value);
    return new LogQueue(log, this.start, this.end + 1);
  }

  /** A new version without its `n` oldest entries (this one if `n` is 0); `n <= length`. */
  drop(n: number): LogQueue<K, V> {
    return n === 0 ? this : new LogQueue(this.log, this.start + n, this.end);
  }

  /** The entries, oldest first. O(length). */
  entries(): { key: K; value: V }[] {
    const out: { key: K; value: V }[] = [];
    for (let i = 0; i < this.length; i++) out.push({ key: this.keyAt(i), value: this.valueAt(i) });
    return out;
  }
}
