/**
 * A persistent first-in-first-out queue of key–value pairs whose versions share one
 * append-only log: a version is a window `[start, end)` of queue positions on it.
 *
 * The fold queues every record it will forget (thousands a second) and drops them from the
 * front. A linked-list queue allocated a cell, a pair and a queue object per push and more per
 * pop, all of them long-lived; here a push appends to two arrays and makes one small window
 * object, and dropping any number of entries makes one. Older versions stay valid: a push
 * appends in place only from a window ending at the log's end, and any other version (an
 * older state reduced again) first copies its own window to a log of its own, O(its length),
 * which a fold used linearly never does.
 *
 * The log is a chain of fixed-size chunks, so that nothing is ever copied to grow it or to
 * drop its front: a version holds the chunk of its oldest entry, and the chunks before it
 * are garbage once no version holds them. (One pair of growing arrays, compacted when mostly
 * dead, cost three times as much per entry at 65,536 entries: copies into ever larger arrays.)
 */

/** Entries per chunk. */
const CHUNK = 256;

/**
 * `CHUNK` consecutive entries (fewer in the newest), from queue position `base`: entry `i`'s
 * key at `slots[2i]` and value at `slots[2i + 1]`, in one array made at its full size (grown
 * by pushes, it would be copied eight times on the way to 512 slots).
 */
interface Chunk {
  readonly slots: unknown[];
  /** How many entries are written. */
  count: number;
  readonly base: number;
  /** The chunk after this one, once this one is full. */
  next: Chunk | null;
}

/** What every version of one log shares: its newest chunk and its end position. */
interface Tail {
  chunk: Chunk;
  end: number;
}

const chunkFrom = (base: number): Chunk => ({
  slots: new Array<unknown>(2 * CHUNK),
  count: 0,
  base,
  next: null,
});

/** A queue version: see the module comment. Create one with {@link LogQueue.empty}. */
export class LogQueue<K, V> {
  /** The empty queue. */
  static empty<K, V>(): LogQueue<K, V> {
    const chunk = chunkFrom(0);
    return new LogQueue<K, V>({ chunk, end: 0 }, chunk, 0, 0);
  }

  private constructor(
    private readonly tail: Tail,
    /** The chunk of position `start`, or the one before it when `start` opens a chunk not made yet. */
    private readonly head: Chunk,
    /** The queue position of this version's oldest entry. */
    private readonly start: number,
    /** One past the queue position of this version's newest entry. */
    private readonly end: number,
  ) {}

  /** How many entries this version holds. */
  get length(): number {
    return this.end - this.start;
  }

  /** The chunk holding queue position `position` (< `end`, so it exists). */
  private chunkOf(position: number): Chunk {
    let chunk = this.head;
    while (position >= chunk.base + CHUNK) chunk = chunk.next!;
    return chunk;
  }

  /** The key of the entry `i` places from the front (`0`: the oldest); `i < length`. */
  keyAt(i: number): K {
    const position = this.start + i;
    const chunk = this.chunkOf(position);
    return chunk.slots[2 * (position - chunk.base)] as K;
  }

  /** The value of the entry `i` places from the front; `i < length`. */
  valueAt(i: number): V {
    const position = this.start + i;
    const chunk = this.chunkOf(position);
    return chunk.slots[2 * (position - chunk.base) + 1] as V;
  }

  /** A new version with `key`, `value` at the end. */
  push(key: K, value: V): LogQueue<K, V> {
    // Another version appended after this one: this one goes on in a log of its own.
    if (this.end !== this.tail.end) return this.copy().push(key, value);
    const tail = this.tail;
    let chunk = tail.chunk;
    if (chunk.count === CHUNK) {
      const next = chunkFrom(chunk.base + CHUNK);
      chunk.next = next;
      tail.chunk = next;
      chunk = next;
    }
    chunk.slots[2 * chunk.count] = key;
    chunk.slots[2 * chunk.count + 1] = value;
    chunk.count++;
    tail.end++;
    return new LogQueue(tail, this.head, this.start, this.end + 1);
  }

  /** A new version without its `n` oldest entries (this one if `n` is 0); `n <= length`. */
  drop(n: number): LogQueue<K, V> {
    if (n === 0) return this;
    const start = this.start + n;
    let head = this.head;
    while (start >= head.base + CHUNK && head.next !== null) head = head.next;
    return new LogQueue(this.tail, head, start, this.end);
  }

  /**
   * A new version without the oldest entries for which `drops` (called oldest first, with
   * the number of entries left including this one) says so, up to the first it keeps.
   */
  dropWhile(drops: (key: K, value: V, left: number) => boolean): LogQueue<K, V> {
    let n = 0;
    let chunk = this.head;
    for (let position = this.start; position < this.end; position++, n++) {
      if (position >= chunk.base + CHUNK) chunk = chunk.next!;
      const i = 2 * (position - chunk.base);
      if (!drops(chunk.slots[i] as K, chunk.slots[i + 1] as V, this.end - position)) break;
    }
    return this.drop(n);
  }

  /** The entries, oldest first. O(length). */
  entries(): { key: K; value: V }[] {
    const out: { key: K; value: V }[] = [];
    for (let i = 0; i < this.length; i++) out.push({ key: this.keyAt(i), value: this.valueAt(i) });
    return out;
  }

  /** This version's entries in a log of their own. */
  private copy(): LogQueue<K, V> {
    let queue = LogQueue.empty<K, V>();
    for (let i = 0; i < this.length; i++) queue = queue.push(this.keyAt(i), this.valueAt(i));
    return queue;
  }
}
