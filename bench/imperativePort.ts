/**
 * "What a user would write instead": a hand-written imperative TypeScript port of the
 * Python original (Microsoft UFO's constellation modification synchronizer), the baseline
 * of the fold benchmark. Not part of the library.
 *
 * Like the original, it keeps one deferred per pending modification in a map keyed by task
 * id only (the same task id in two orions collides), starts one timer per registration
 * that auto-completes the modification when it fires, and waits by awaiting all the
 * current deferreds until none is left.
 */
import type { OrionEvent } from "../src/events.js";
import type { TaskOrion } from "../src/orion/types.js";

/** A pending modification: its promise, the function that settles it, and its timer. */
interface Deferred {
  readonly promise: Promise<boolean>;
  readonly resolve: (completed: boolean) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

function deferred(): Deferred {
  let resolve: (completed: boolean) => void = () => undefined;
  const promise = new Promise<boolean>((r) => {
    resolve = r;
  });
  return { promise, resolve, timer: undefined };
}

/** The port: call {@link onEvent} for every bus event. */
export class ImperativeSynchronizer {
  /** Task id → its pending modification (Python: `Dict[str, asyncio.Future]`). */
  private readonly pending = new Map<string, Deferred>();
  private currentOrionId: string | undefined;
  private currentOrion: TaskOrion | undefined;
  readonly stats = {
    totalModifications: 0,
    completedModifications: 0,
    timeoutModifications: 0,
  };

  /** @param modificationTimeout - ms before a modification auto-completes (default 10 min) */
  constructor(private readonly modificationTimeout = 600_000) {}

  /** The orion the agent last sent (Python: `_current_constellation`). */
  get orion(): TaskOrion | undefined {
    return this.currentOrion;
  }

  /** The number of pending modifications. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Python's `on_event`: dispatches a task or orion event. */
  onEvent(event: OrionEvent): void {
    switch (event.type) {
      case "TASK_COMPLETED":
      case "TASK_FAILED":
        this.onTaskEnded(event.taskId);
        return;
      case "ORION_STARTED":
        this.currentOrionId = event.orionId;
        this.currentOrion = event.orion;
        return;
      case "ORION_MODIFIED":
        if (event.newOrion !== undefined) this.currentOrion = event.newOrion;
        for (const taskId of event.onTaskIds) this.complete(taskId, true);
        return;
      case "ORION_COMPLETED":
      case "ORION_FAILED":
        if (event.orionId === this.currentOrionId) this.currentOrionId = undefined;
        return;
      case "TASK_STARTED":
        return;
    }
  }

  private onTaskEnded(taskId: string): void {
    if (this.pending.has(taskId)) return;
    const entry = deferred();
    this.pending.set(taskId, entry);
    this.stats.totalModifications++;
    // Python: `asyncio.create_task(self._auto_complete_on_timeout(task_id, future))`.
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      if (this.pending.get(taskId) !== entry) return;
      this.pending.delete(taskId);
      this.stats.timeoutModifications++;
      entry.resolve(false);
    }, this.modificationTimeout);
  }

  private complete(taskId: string, completed: boolean): void {
    const entry = this.pending.get(taskId);
    if (entry === undefined) return;
    this.pending.delete(taskId);
    // Fairer than the Python original, which never cancels its `asyncio.sleep` task and so
    // keeps one sleeping timer per modification alive for the whole timeout: we clear it.
    if (entry.timer !== undefined) clearTimeout(entry.timer);
    entry.timer = undefined;
    if (completed) this.stats.completedModifications++;
    entry.resolve(completed);
  }

  /**
   * Python's `wait_for_pending_modifications`: awaits all the current modifications, then
   * again for any registered meanwhile, until none is pending. Resolves `true` then, or
   * `false` if `timeout` (ms) elapsed first, after clearing every pending modification.
   */
  async waitForPendingModifications(timeout?: number): Promise<boolean> {
    let expired = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline =
      timeout === undefined
        ? undefined
        : new Promise<void>((resolve) => {
            timer = setTimeout(() => {
              expired = true;
              resolve();
            }, timeout);
          });
    try {
      while (this.pending.size > 0) {
        const all = Promise.all(Array.from(this.pending.values(), (entry) => entry.promise));
        await (deadline === undefined ? all : Promise.race([all, deadline]));
        if (expired) {
          const count = this.pending.size;
          for (const taskId of Array.from(this.pending.keys())) this.complete(taskId, false);
          this.stats.timeoutModifications += count;
          return false;
        }
      }
      return true;
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  }

  /** Cancels every timer and settles every pending modification as not completed. */
  dispose(): void {
    for (const taskId of Array.from(this.pending.keys())) this.complete(taskId, false);
  }
}
