/**
 * What the orchestration hands out with an orion in it that is built only when read: a progress
 * event, and a task's context. Both are class instances with the lazy fields as prototype
 * getters, on purpose: an object literal with a getter (`{ get orion() {...} }`) costs V8 a
 * runtime call to define the accessor on every evaluation, measured here at about 0.7 µs, against
 * some 20 ns for a class instance, and the orchestration makes three of them per task.
 *
 * Reading is unchanged (`progress.orion`, `const { signal } = context`). The lazy fields are not
 * own properties, so a spread (`{ ...progress }`) or `structuredClone` leaves them out; `toJSON`
 * writes them as the literals did, so a logged progress event still shows its orion.
 * @module
 */
import type { OrionEvent } from "../events.js";
import type { OrionRun } from "../orion/OrionRun.js";
import type { TaskOrion } from "../orion/types.js";
import type { RunningTask } from "./runTask.js";
import type { ExecuteTaskContext } from "./types.js";

/** A run's orion at one version: built on first read (`snapshotAt`), then kept. */
export class OrionAt {
  readonly #run: OrionRun;
  readonly #version: number;
  #orion: TaskOrion | undefined;

  /** The run's orion as it is now, when read later. */
  constructor(run: OrionRun) {
    this.#run = run;
    this.#version = run.version;
  }

  get orion(): TaskOrion {
    return (this.#orion ??= this.#run.snapshotAt(this.#version));
  }
}

/** A progress value of kind `event`: the orion right after the event, built on first read. */
export class EventProgress {
  readonly kind = "event";
  readonly #orionAt: OrionAt;

  constructor(
    readonly at: number,
    readonly event: OrionEvent,
    orionAt: OrionAt,
    readonly running: number,
  ) {
    this.#orionAt = orionAt;
  }

  get orion(): TaskOrion {
    return this.#orionAt.orion;
  }

  /** The fields in the order the object literal had them, the orion included. */
  toJSON(): object {
    return {
      kind: this.kind,
      at: this.at,
      event: this.event,
      orion: this.orion,
      running: this.running,
    };
  }
}

/**
 * What `executeTask` gets with a task: a signal made on first read (an `AbortController` costs
 * more than the rest of a start together, and most executors never look at it), and the orion
 * at the task's start, built on first read.
 */
export class TaskContext implements ExecuteTaskContext {
  readonly #entry: RunningTask;
  readonly #orionAt: OrionAt;

  constructor(entry: RunningTask, orionAt: OrionAt) {
    this.#entry = entry;
    this.#orionAt = orionAt;
  }

  get signal(): AbortSignal {
    return (this.#entry.abort ??= new AbortController()).signal;
  }

  get orion(): TaskOrion {
    return this.#orionAt.orion;
  }

  /** As the object literal was written: both fields (reading the signal makes it). */
  toJSON(): object {
    return { signal: this.signal, orion: this.orion };
  }
}
