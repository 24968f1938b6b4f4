import { DEFAULT_PRIORITY } from "../DEFAULT_PRIORITY.js";
import type { Task } from "../types.js";

interface Entry {
  readonly id: string;
  readonly priority: number;
  readonly generation: number;
}

/**
 * The ready tasks of a running orion, best first in `compareReadyTasks` order (priority, highest
 * first, then id): a binary heap with lazy deletion. Adding, removing or re-prioritising a task
 * is O(log n); an entry that no longer matches its task's current generation is dropped when it
 * reaches the top, so removal never searches the heap. The heap is rebuilt once stale entries
 * outnumber live ones, so it stays within twice the ready set.
 * @internal
 */
export class ReadyQueue {
  private heap: Entry[] = [];
  /** Live tasks: id → the generation and priority of their one valid entry. */
  private readonly live = new Map<string, { generation: number; priority: number }>();
  private nextGeneration = 0;

  /** How many tasks are ready. */
  get size(): number {
    return this.live.size;
  }

  has(id: string): boolean {
    return this.live.has(id);
  }

  /** Makes `task` ready (again, if its priority changed); O(log n). */
  add(task: Task): void {
    const priority = task.priority ?? DEFAULT_PRIORITY;
    const known = this.live.get(task.id);
    if (known !== undefined && known.priority === priority) return;
    const generation = this.nextGeneration++;
    this.live.set(task.id, { generation, priority });
    this.push({ id: task.id, priority, generation });
  }

  /** Makes `id` not ready; its entry is dropped lazily. O(1). */
  delete(id: string): void {
    if (this.live.delete(id) && this.heap.length > 64 && this.heap.length > 2 * this.live.size) {
      this.compact();
    }
  }

  /** The best ready task's id, or `undefined`; amortised O(log n). */
  peek(): string | undefined {
    for (;;) {
      const top = this.heap[0];
      if (top === undefined) return undefined;
      if (this.live.get(top.id)?.generation === top.generation) return top.id;
      this.pop();
    }
  }

  /** Every ready task id, best first. O(n log n). */
  sorted(): string[] {
    return this.heap
      .filter((entry) => this.live.get(entry.id)?.generation === entry.generation)
      .sort(compare)
      .map((entry) => entry.id);
  }

  private compact(): void {
    this.heap = this.heap.filter((e) => this.live.get(e.id)?.generation === e.generation);
    for (let i = (this.heap.length >> 1) - 1; i >= 0; i--) this.down(i);
  }

  private push(entry: Entry): void {
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

/** `compareReadyTasks` on heap entries. */
function compare(a: Entry, b: Entry): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
