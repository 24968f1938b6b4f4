/**
 * A persistent first-in-first-out queue: two immutable linked lists (Okasaki's batched
 * queue). `push` is O(1); `pop` is amortised O(1) when the queue is used linearly, as a
 * fold does (each version is updated at most once).
 */

interface Cons<T> {
  readonly head: T;
  readonly tail: Cons<T> | null;
}

/** A queue version. `null` lists are empty. */
export interface Fifo<T> {
  readonly front: Cons<T> | null;
  readonly back: Cons<T> | null;
}

/** The empty queue. */
export const emptyFifo: Fifo<never> = { front: null, back: null };

/** The queue with `value` at the end. */
export function fifoPush<T>(queue: Fifo<T>, value: T): Fifo<T> {
  return { front: queue.front, back: { head: value, tail: queue.back } };
}

/** The queue with its front list materialised, so that `front` is non-null unless empty. */
export function fifoNormalise<T>(queue: Fifo<T>): Fifo<T> {
  if (queue.front !== null || queue.back === null) return queue;
  let front: Cons<T> | null = null;
  for (let node: Cons<T> | null = queue.back; node !== null; node = node.tail) {
    front = { head: node.head, tail: front };
  }
  return { front, back: null };
}
