/**
 * Running one started task: the call and its outcome (a value, a promise or an observable),
 * aborting it, and the events of its run (its context is in `lazyOrion.ts`). The orchestration
 * decides when a task starts and what its outcome does; this file only runs it.
 * @module
 */
import { from, isObservable, last, type ObservableInput, type Subscription } from "rxjs";
import type { TaskEvent } from "../events.js";
import { describeThrown } from "../internal/describeThrown.js";
import type { TaskOutcome } from "../orion/completeTask.js";
import type { JsonValue, Task } from "../orion/types.js";
import type { ExecuteTaskContext, OrchestrateOptions } from "./types.js";

/**
 * A started task. Its `AbortController` is made only when `executeTask` reads the signal or the
 * orchestration is cancelled: making one costs more than the rest of a start together.
 */
export interface RunningTask {
  abort?: AbortController;
  /** What to unsubscribe on cancellation: the start's record, then an observable's run. */
  subscription?: Subscription;
}

/** A promise, or anything with a `then` method (as `from` and `await` take it). */
function isThenable(value: unknown): value is PromiseLike<JsonValue | undefined> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}

/** A failed task's `error`: an `Error`'s name and message, else the thrown value as JSON. */
function describeError(error: unknown): JsonValue {
  try {
    if (error instanceof Error) return { name: error.name, message: error.message };
    return JSON.parse(JSON.stringify(error ?? null)) as JsonValue;
  } catch {
    // Never throws: a throw here would leave the task running forever.
    return describeThrown(error);
  }
}

/**
 * Runs a started task. A plain value (or a synchronous throw) finishes it at once and a
 * promise when it settles, without building an observable per task; an observable's last
 * value (`undefined` when it emits none) is its result.
 *
 * `owns` says whether the orchestration still runs this start of the task (`entry`): only then
 * does `settle` get the outcome, the first one only, and is an observable's run kept to cancel.
 */
export function runTask(
  task: Task,
  entry: RunningTask,
  context: ExecuteTaskContext,
  executeTask: OrchestrateOptions["executeTask"],
  owns: () => boolean,
  settle: (outcome: TaskOutcome) => void,
): void {
  let settled = false;
  /** The first outcome counts, and only while this run of the task is the one running. */
  const settleOnce = (outcome: TaskOutcome): void => {
    if (settled) return;
    settled = true;
    if (owns()) settle(outcome);
  };
  const succeeded = (value: JsonValue | undefined): void =>
    settleOnce(value === undefined ? { success: true } : { success: true, result: value });
  const failed = (error: unknown): void =>
    settleOnce({ success: false, error: describeError(error) });
  // Everything the result does (a `then` that throws, an observable that will not
  // subscribe) fails the task, as the call itself throwing does.
  try {
    const value: unknown = executeTask(task, context);
    if (isObservable(value)) {
      const subscription = from(value as ObservableInput<JsonValue | undefined>)
        .pipe(last(undefined, undefined))
        .subscribe({ next: succeeded, error: failed });
      if (owns()) entry.subscription = subscription;
    } else if (isThenable(value)) {
      value.then(succeeded, failed);
    } else {
      succeeded(value as JsonValue | undefined);
    }
  } catch (error) {
    failed(error);
  }
}

/** Cancels a running task: aborts its signal (made now if never read), then its subscription. */
export function abortTask(entry: RunningTask, reason: Error): void {
  (entry.abort ??= new AbortController()).abort(reason);
  entry.subscription?.unsubscribe();
}

/** A task's `TASK_STARTED`: a fixed-shape literal, as every task builds one. */
export function taskStartedEvent(
  orionId: string,
  taskId: string,
  timestamp: number,
  eventId: string,
): TaskEvent {
  return { type: "TASK_STARTED", orionId, taskId, timestamp, eventId };
}

/**
 * A task's `TASK_COMPLETED` / `TASK_FAILED`, naming the tasks its end made ready: fixed-shape
 * literals, as every task builds one.
 */
export function taskEndedEvent(
  orionId: string,
  taskId: string,
  outcome: TaskOutcome,
  timestamp: number,
  newlyReady: readonly Task[],
  eventId: string,
): TaskEvent {
  const newlyReadyTaskIds = newlyReady.map((t) => t.id);
  if (!outcome.success) {
    const { error } = outcome;
    return {
      type: "TASK_FAILED",
      orionId,
      taskId,
      timestamp,
      error,
      newlyReadyTaskIds,
      eventId,
    };
  }
  const { result } = outcome;
  return result === undefined
    ? { type: "TASK_COMPLETED", orionId, taskId, timestamp, newlyReadyTaskIds, eventId }
    : {
        type: "TASK_COMPLETED",
        orionId,
        taskId,
        timestamp,
        result,
        newlyReadyTaskIds,
        eventId,
      };
}
