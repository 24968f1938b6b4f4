/**
 * A min-heap of deadlines with lazy deletion, for the fold's timeouts.
 *
 * The fold keeps one RxJS `timer` armed at the earliest deadline instead of one timer per
 * pending modification. Completed modifications are not searched for and removed (that
 * would cost O(n)); their heap entries go stale and are skipped when popped, and the heap
 * is rebuilt from live entries when stale ones outnumber them, so memory stays O(live) and
 * every operation stays amortised O(1) (pushes arrive in deadline order and sift up by one
 * comparison unless the timeout was shortened).
 */

/** One deadline: `key` may expire at `deadline`. */
export interface Deadline<K> {
  readonly deadline: number;
  readonly key: K;
  readonly seq: number;
}

/** The heap: see the module comment. */
export class DeadlineQueue<K> {
  private heap: Deadline<K>[] = [];
  private seq = 0;

  /** The number of entries, live or stale. */
  get length(): number {
    return this.heap.length;
  }

  /** The earliest deadline, or `undefined` when empty. */
  peek(): number | undefined {
    return this.heap[0]?.deadline;
  }

  /** Adds `key` with `deadline`. */
  push(deadline: number, key: K): void {
    const heap = this.heap;
    heap.push({ deadline, key, seq: this.seq++ });
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** Removes and returns every entry whose deadline is at or before `now`, earliest first. */
  popDue(now: number): Deadline<K>[] {
    const due: Deadline<K>[] = [];
    while (this.heap.length > 0 && (this.heap[0] as Deadline<K>).deadline <= now) {
      due.push(this.pop());
    }
    return due;
  }

  /** Keeps only the entries for which `isLive` holds: O(n), for when most are stale. */
  compact(isLive: (entry: Deadline<K>) => boolean): void {
    this.heap = this.heap.filter(isLive);
    for (let i = (this.heap.length >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  /** Removes everything. */
  clear(): void {
    this.heap = [];
  }

  private pop(): Deadline<K> {
    const heap = this.heap;
    const top = heap[0] as Deadline<K>;
    const last = heap.pop() as Deadline<K>;
    if (heap.length > 0) {
      heap[0] = last;
      this.siftDown(0);
    }
    return top;
  }

  private siftDown(start: number): void {
    const n = this.heap.length;
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.less(l, m)) m = l;
      if (r < n && this.less(r, m)) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }

  private less(a: number, b: number): boolean {
    const x = this.heap[a] as Deadline<K>;
    const y = this.heap[b] as Deadline<K>;
    return x.deadline < y.deadline || (x.deadline === y.deadline && x.seq < y.seq);
  }

  private swap(a: number, b: number): void {
    const heap = this.heap;
    const t = heap[a] as Deadline<K>;
    heap[a] = heap[b] as Deadline<K>;
    heap[b] = t;
  }
}
