/**
 * A persistent first-in-first-out queue of key–value pairs whose versions share one
 * append-only log: a version is a window `[start, end)` of queue positions on it.
 *
 * The fold queues every record it will forget (thousands a second) and drops them from the
 * front. A linked-list queue allocated a cell, a pair and a queue object per push and more per
 * pop, all of them long-lived; here a push writes two slots of an array and makes one small
 * window object, and dropping any number of entries makes one. Older versions stay valid: a
 * push appends in place only from a window ending at the log's end, and any other version (an
 * older state reduced again) first copies its own window to a log of its own, O(its length),
 * which a fold used linearly never does.
 *
 * The log is a directory of fixed-size chunks, so that nothing is copied to grow it, and any
 * position is found in O(1). Chunks before the oldest live entry stay in the directory until
 * a push finds more dead chunks than live ones (and more than a few): it then moves the newest
 * version to a new directory without them (the two directories share only full chunks, which
 * nobody writes again). So the newest version keeps alive at most about twice its entries
 * (or five chunks, if that is more), and an old version held forever (an `initialState` an
 * operator keeps) only what its directory had gathered when the newest moved on, never the
 * whole history.
 */

/** Entries per chunk: a power of two, so that a position's chunk is a shift away. */
const CHUNK_BITS = 8;
const CHUNK = 1 << CHUNK_BITS;
/** Dead chunks a directory may hold before a push compacts it, at least. */
const COMPACT_AFTER = 4;

/**
 * `CHUNK` consecutive entries: entry `i`'s key at `2i`, its value at `2i + 1`, in one array
 * made at its full size (grown by pushes, it would be copied eight times on the way).
 */
type Chunk = unknown[];

/** A directory: `chunks[k]` holds queue positions `base + k·CHUNK` onwards; `end` is one past the newest. */
interface Log {
  readonly chunks: Chunk[];
  readonly base: number;
  end: number;
}

/** The chunk of queue position `position` in `log`. */
function chunkOf(log: Log, position: number): Chunk {
  return log.chunks[(position - log.base) >>> CHUNK_BITS]!;
}

/** The index of `position`'s key in its chunk (its value is at the next index). */
function slotOf(log: Log, position: number): number {
  return 2 * ((position - log.base) & (CHUNK - 1));
}

/** A queue version: see the module comment. Create one with {@link LogQueue.empty}. */
export class LogQueue<K, V> {
  /** The empty queue. */
  static empty<K, V>(): LogQueue<K, V> {
    return new LogQueue<K, V>({ chunks: [], base: 0, end: 0 }, 0, 0);
  }

  private constructor(
    private readonly log: Log,
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
    const position = this.start + i;
    return chunkOf(this.log, position)[slotOf(this.log, position)] as K;
  }

  /** The value of the entry `i` places from the front; `i < length`. */
  valueAt(i: number): V {
    const position = this.start + i;
    return chunkOf(this.log, position)[slotOf(this.log, position) + 1] as V;
  }

  /** A new version with `key`, `value` at the end. */
  push(key: K, value: V): LogQueue<K, V> {
    // Another version appended after this one: this one goes on in a log of its own.
    if (this.end !== this.log.end) return this.copy().push(key, value);
    let log = this.log;
    if (slotOf(log, this.end) === 0) {
      // The newest chunk is full (or there is none): first drop the dead ones if they are many.
      const dead = (this.start - log.base) >>> CHUNK_BITS;
      if (dead > Math.max(COMPACT_AFTER, log.chunks.length - dead)) {
        log = { chunks: log.chunks.slice(dead), base: log.base + dead * CHUNK, end: this.end };
      }
      log.chunks.push(new Array<unknown>(2 * CHUNK));
    }
    const chunk = chunkOf(log, this.end);
    const slot = slotOf(log, this.end);
    chunk[slot] = key;
    chunk[slot + 1] = value;
    log.end = this.end + 1;
    return new LogQueue(log, this.start, this.end + 1);
  }

  /** A new version without its `n` oldest entries (this one if `n` is 0); `n <= length`. */
  drop(n: number): LogQueue<K, V> {
    return n === 0 ? this : new LogQueue(this.log, this.start + n, this.end);
  }

  /**
   * A new version without the oldest entries for which `drops` (called oldest first, with
   * the number of entries left including this one) says so, up to the first it keeps.
   */
  dropWhile(drops: (key: K, value: V, left: number) => boolean): LogQueue<K, V> {
    let position = this.start;
    for (; position < this.end; position++) {
      const chunk = chunkOf(this.log, position);
      const slot = slotOf(this.log, position);
      if (!drops(chunk[slot] as K, chunk[slot + 1] as V, this.end - position)) break;
    }
    return this.drop(position - this.start);
  }

  /** The entries, oldest first. O(length). */
  entries(): { key: K; value: V }[] {
    const out: { key: K; value: V }[] = [];
    for (let i = 0; i < this.length; i++) out.push({ key: this.keyAt(i), value: this.valueAt(i) });
    return out;
  }

  /** This version's entries in a log of their own. O(length). */
  private copy(): LogQueue<K, V> {
    let queue = LogQueue.empty<K, V>();
    for (let i = 0; i < this.length; i++) queue = queue.push(this.keyAt(i), this.valueAt(i));
    return queue;
  }
}
