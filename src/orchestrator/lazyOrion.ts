/**
 * What the orchestration hands out with an orion in it that is built only when read: a progress
 * event, and a task's context.
 *
 * Both are object literals with own, enumerable getters, whose closures hold what they need, on
 * purpose. Such a literal costs V8 a runtime call per accessor on every evaluation (about
 * 0.7 µs, against some 20 ns for a class instance with prototype getters), and the
 * orchestration makes three per task; prototype getters were tried and measured faster, and
 * rejected (review found it): a spread (`{ ...context, attempt }`, a common way to wrap an
 * executor) then dropped `signal`, so the wrapped task could no longer be cancelled, and
 * `structuredClone`, `Object.keys`, `toEqual` and reads through a `Proxy` or `Object.create`
 * all changed. Each getter reads once and keeps what it read.
 * @module
 */
import type { OrionEvent } from "../events.js";
import type { OrionRun } from "../orion/OrionRun.js";
import type { TaskOrion } from "../orion/types.js";
import type { RunningTask } from "./runTask.js";
import type { ExecuteTaskContext, OrchestrationProgress } from "./types.js";

/** A run's orion at its current version: built on first read (`snapshotAt`), then kept. */
export class OrionAt {
  readonly #run: OrionRun;
  readonly #version: number;
  #orion: TaskOrion | undefined;

  constructor(run: OrionRun) {
    this.#run = run;
    this.#version = run.version;
  }

  get orion(): TaskOrion {
    return (this.#orion ??= this.#run.snapshotAt(this.#version));
  }
}

/** A progress value of kind `event`: `orion`, the orion right after it, is built on first read. */
export function eventProgress(
  at: number,
  event: OrionEvent,
  orionAt: OrionAt,
  running: number,
): OrchestrationProgress {
  return {
    kind: "event",
    at,
    event,
    get orion() {
      return orionAt.orion;
    },
    running,
  };
}

/**
 * What `executeTask` gets with a task: a signal made on first read (an `AbortController` costs
 * more than the rest of a start together, and most executors never look at it), and the orion
 * at the task's start, built on first read.
 */
export function taskContext(entry: RunningTask, orionAt: OrionAt): ExecuteTaskContext {
  return {
    get signal() {
      return (entry.abort ??= new AbortController()).signal;
    },
    get orion() {
      return orionAt.orion;
    },
  };
}
