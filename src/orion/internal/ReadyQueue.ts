import { DEFAULT_PRIORITY } from "../DEFAULT_PRIORITY.js";
import type { Task } from "../types.js";

/**
 * What the queue keeps on each task's own node (the run's per-task record), so that asking
 * whether a task is ready, or taking it out, needs no lookup by id.
 * @internal
 */
export interface Queued {
  readonly id: string;
  readonly task: Task | undefined;
  /** The generation of the node's one live heap entry; -1 while it is not ready. */
  queued: number;
  /** The priority its live entry was pushed with. */
  queuedPriority: number;
}

interface Entry<N extends Queued> {
  readonly node: N;
  readonly priority: number;
  readonly generation: number;
}

/**
 * The ready tasks of a running orion, best first in `compareReadyTasks` order (priority, highest
 * first, then id): a binary heap with lazy deletion. Adding, removing or re-prioritising a task
 * is O(log n); an entry that no longer matches its node's current generation is dropped when it
 * reaches the top, so removal never searches the heap. The heap is rebuilt once stale entries
 * outnumber live ones, so it stays within twice the ready set.
 * @internal
 */
export class ReadyQueue<N extends Queued> {
  private heap: Entry<N>[] = [];
  private live = 0;
  private nextGeneration = 0;

  /** How many tasks are ready. */
  get size(): number {
    return this.live;
  }

  /** Makes `node`'s task ready (again, if its priority changed); O(log n). */
  add(node: N): void {
    const priority = node.task?.priority ?? DEFAULT_PRIORITY;
    if (node.queued >= 0) {
      if (node.queuedPriority === priority) return;
    } else this.live++;
    const generation = this.nextGeneration++;
    node.queued = generation;
    node.queuedPriority = priority;
    this.push({ node, priority, generation });
  }

  /** Makes `node`'s task not ready; its entry is dropped lazily. O(1). */
  delete(node: N): void {
    if (node.queued < 0) return;
    node.queued = -1;
    this.live--;
    if (this.heap.length > 64 && this.heap.length > 2 * this.live) this.compact();
  }

  /** The best ready node, or `undefined`; amortised O(log n). */
  peek(): N | undefined {
    for (;;) {
      const top = this.heap[0];
      if (top === undefined) return undefined;
      if (isLive(top)) return top.node;
      this.pop();
    }
  }

  /** Every ready node, best first. O(n log n). */
  sorted(): N[] {
    return this.heap
      .filter(isLive)
      .sort(compare)
      .map((entry) => entry.node);
  }

  private compact(): void {
    this.heap = this.heap.filter(isLive);
    for (let i = (this.heap.length >> 1) - 1; i >= 0; i--) this.down(i);
  }

  private push(entry: Entry<N>): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (compare(heap[parent]!, entry) <= 0) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = entry;
  }

  private pop(): void {
    const last = this.heap.pop()!;
    if (this.heap.length > 0) {
      this.heap[0] = last;
      this.down(0);
    }
  }

  private down(start: number): void {
    const heap = this.heap;
    const entry = heap[start]!;
    let i = start;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= heap.length) break;
      if (child + 1 < heap.length && compare(heap[child + 1]!, heap[child]!) < 0) child++;
      if (compare(entry, heap[child]!) <= 0) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = entry;
  }
}

/** Whether an entry is its node's live one (not re-prioritised or taken out since). */
function isLive(entry: Entry<Queued>): boolean {
  return entry.node.queued === entry.generation;
}

/** `compareReadyTasks` on heap entries. */
function compare(a: Entry<Queued>, b: Entry<Queued>): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  return a.node.id < b.node.id ? -1 : a.node.id > b.node.id ? 1 : 0;
}
