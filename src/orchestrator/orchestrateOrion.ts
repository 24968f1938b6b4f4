import {
  asyncScheduler,
  catchError,
  concatMap,
  defer,
  EMPTY,
  from,
  isObservable,
  last,
  map,
  of,
  Observable,
  Subject,
  type ObservableInput,
  type Subscription,
} from "rxjs";
import { describeThrown } from "../internal/describeThrown.js";
import { cancelTask } from "../orion/cancelTask.js";
import { completeTask, type TaskOutcome } from "../orion/completeTask.js";
import { deriveOrionState } from "../orion/deriveOrionState.js";
import { compareReadyTasks } from "../orion/internal/compareReadyTasks.js";
import { getBlockedTasks } from "../orion/getBlockedTasks.js";
import { getReadyTasks } from "../orion/getReadyTasks.js";
import { InvalidOrionError } from "../orion/InvalidOrionError.js";
import { isTerminalStatus } from "../orion/isTerminalStatus.js";
import { startTask } from "../orion/startTask.js";
import type { JsonValue, Task, TaskOrion } from "../orion/types.js";
import { validateOrion } from "../orion/validateOrion.js";
import type { OrionEvent, TaskEvent } from "../events.js";
import type {
  OrchestrateOptions,
  OrchestrationProgress,
  OrchestrationResult,
  TaskTiming,
} from "./types.js";

function toObservable(value: unknown): Observable<JsonValue | undefined> {
  const input = value as ObservableInput<JsonValue | undefined>;
  if (isObservable(value)) return value as Observable<JsonValue | undefined>;
  if (typeof (value as { then?: unknown } | null)?.then === "function") return from(input);
  return of(value as JsonValue | undefined);
}

function describeError(error: unknown): JsonValue {
  try {
    if (error instanceof Error) return { name: error.name, message: error.message };
    return JSON.parse(JSON.stringify(error ?? null)) as JsonValue;
  } catch {
    // Never throws: a throw here would leave the task running forever.
    return describeThrown(error);
  }
}

/** A short random prefix for a run's event ids. */
function randomRunId(): string {
  return Math.random().toString(36).slice(2, 10);
}

/**
 * A reference reactive orchestrator: runs `orion` to the end, publishing on `bus` what
 * UFO's orchestrator publishes, in the same order (`ORION_STARTED`; per task
 * `TASK_STARTED` then `TASK_COMPLETED` / `TASK_FAILED` with `newlyReadyTaskIds`;
 * `ORION_COMPLETED` / `ORION_FAILED`), and emits each event with the orion it produced,
 * then the result.
 *
 * With a `synchronizer`, every "tasks may be ready" moment passes through its gate, and
 * before starting anything the orchestrator merges the agent's latest orion with its own
 * execution state (`mergeAndSyncOrionStates`), so a task always starts with the agent's
 * latest definition. Without one, tasks start as soon as they are ready: the race.
 *
 * Tasks run through `executeTask` (a value, promise or observable; throwing or rejecting
 * fails the task, and dependents follow the dependency rules), at most `maxConcurrency` at
 * once, highest priority first. Tasks that can never run are reported in the result's
 * `blocked`, not waited for. Aborting `signal`, or unsubscribing, aborts running tasks
 * (their `executeTask` got the signal) and marks every unfinished task cancelled.
 *
 * @throws InvalidOrionError (as an error notification) if `orion` fails `validateOrion`.
 */
export function orchestrateOrion(
  orion: TaskOrion,
  options: OrchestrateOptions,
): Observable<OrchestrationProgress> {
  const maxConcurrency = options.maxConcurrency ?? Number.POSITIVE_INFINITY;
  if (
    !(maxConcurrency >= 1) ||
    (Number.isFinite(maxConcurrency) && !Number.isInteger(maxConcurrency))
  ) {
    throw new RangeError(
      `maxConcurrency must be a positive integer, got ${String(maxConcurrency)}`,
    );
  }
  return new Observable<OrchestrationProgress>((subscriber) => {
    const validation = validateOrion(orion);
    if (!validation.ok) {
      subscriber.error(new InvalidOrionError(orion.id, validation.errors));
      return;
    }
    const { bus, synchronizer, executeTask, readyOptions, recordStart } = options;
    const orionId = orion.id;
    // Ids unique within the orion across runs and workers: a run prefix, then a counter.
    const runId = options.runId ?? randomRunId();
    let eventSeq = 0;
    /** The id of the newest event this run published: what a trigger was computed after. */
    let lastEventId: string | undefined;
    /** The synchronizer to wait for, if any: with `gate: false`, it is only merged from. */
    const gate = options.gate === false ? undefined : synchronizer;
    const scheduler = options.scheduler ?? asyncScheduler;
    const now = (): number => scheduler.now();
    const startedAt = now();
    let current: TaskOrion = { ...orion, state: deriveOrionState(orion) };
    let lastAgentOrion = synchronizer?.getCurrentOrion(orion.id);
    const running = new Map<
      string,
      { readonly abort: AbortController; subscription?: Subscription }
    >();
    const timings = new Map<string, TaskTiming>();
    let ready: Task[] = [];
    let finished = false;
    let scheduling = false;
    let again = false;
    let heldSince: number | undefined;
    let heldMs = 0;

    /** `event` with this run's next id. */
    const identify = <E extends OrionEvent>(event: E): E => ({
      ...event,
      eventId: `${runId}:${++eventSeq}`,
    });
    const announce = (event: OrionEvent): void => {
      subscriber.next({ kind: "event", at: now(), event, orion: current, running: running.size });
    };
    const publish = (event: OrionEvent): void => {
      const identified = identify(event);
      lastEventId = identified.eventId;
      bus.publish(identified);
      announce(identified);
    };

    const result = (outcome: OrchestrationResult["outcome"]): OrchestrationResult => ({
      orion: current,
      state: current.state,
      outcome,
      timings: [...timings.values()],
      blocked: outcome === "cancelled" ? [] : getBlockedTasks(current, readyOptions),
      heldMs,
      startedAt,
      endedAt: now(),
      statistics: synchronizer?.getStatistics(),
    });

    const finish = (): void => {
      finished = true;
      triggerSubscription.unsubscribe();
      const tasks = Object.values(current.tasks);
      const outcome = tasks.every((t) => t.status === "completed") ? "completed" : "failed";
      publish({
        type: outcome === "completed" ? "ORION_COMPLETED" : "ORION_FAILED",
        orionId: current.id,
      });
      subscriber.next({ kind: "finished", at: now(), result: result(outcome) });
      subscriber.complete();
    };

    /** Ends the orchestration with `error` (cancelling what runs), instead of throwing it away. */
    const fail = (error: unknown): void => {
      if (finished) return;
      cancel();
      subscriber.error(error);
    };
    const guarded =
      <A extends unknown[]>(f: (...args: A) => void) =>
      (...args: A): void => {
        try {
          f(...args);
        } catch (error) {
          fail(error);
        }
      };

    const done = guarded((taskId: string, outcome: TaskOutcome): void => {
      if (finished || !running.has(taskId)) return;
      running.delete(taskId);
      if (current.tasks[taskId]?.status !== "running") {
        // The agent removed the task, or the merge made it terminal: its outcome has nowhere
        // to go. Nothing is published for it; the orchestration goes on.
        trigger();
        return;
      }
      const transition = completeTask(current, taskId, outcome, now(), readyOptions);
      current = transition.orion;
      const timing = timings.get(taskId);
      if (timing) {
        timings.set(taskId, {
          ...timing,
          endedAt: now(),
          status: current.tasks[taskId]?.status ?? timing.status,
        });
      }
      for (const task of transition.newlyReady) ready.push(task);
      publish({
        type: outcome.success ? "TASK_COMPLETED" : "TASK_FAILED",
        orionId: current.id,
        taskId,
        timestamp: now(),
        ...(outcome.success
          ? outcome.result === undefined
            ? {}
            : { result: outcome.result }
          : { error: outcome.error }),
        newlyReadyTaskIds: transition.newlyReady.map((t) => t.id),
      });
      trigger();
    });

    const start = (task: Task): void => {
      current = startTask(current, task.id, now());
      timings.set(task.id, {
        taskId: task.id,
        startedAt: now(),
        definition: task,
        status: "running",
      });
      const entry: { readonly abort: AbortController; subscription?: Subscription } = {
        abort: new AbortController(),
      };
      running.set(task.id, entry);
      const startEvent = identify<TaskEvent>({
        type: "TASK_STARTED",
        orionId: current.id,
        taskId: task.id,
        timestamp: now(),
      });
      const from = current;
      // With recordStart (a fenced broker write), the task runs only once its start is
      // recorded; a refusal fails the orchestration and the task never runs.
      const recorded: Observable<unknown> = recordStart
        ? defer(() => recordStart(startEvent)).pipe(
            map(() => announce(startEvent)),
            catchError((error: unknown) => {
              fail(error);
              return EMPTY;
            }),
          )
        : of(publish(startEvent));
      const subscription = recorded
        .pipe(
          concatMap(() =>
            defer(() =>
              toObservable(executeTask(task, { signal: entry.abort.signal, orion: from })),
            ),
          ),
          last(undefined, undefined),
        )
        .subscribe({
          next: (value) =>
            done(
              task.id,
              value === undefined ? { success: true } : { success: true, result: value },
            ),
          error: (error: unknown) => done(task.id, { success: false, error: describeError(error) }),
        });
      if (running.has(task.id)) entry.subscription = subscription;
    };

    /** Starts what may start. Trampolined: re-entrant calls (instant tasks) loop here. */
    const schedule = guarded((): void => {
      if (finished) return;
      if (scheduling) {
        again = true;
        return;
      }
      scheduling = true;
      try {
        do {
          again = false;
          const agentOrion = synchronizer?.getCurrentOrion(orion.id);
          if (synchronizer && agentOrion !== undefined && agentOrion !== lastAgentOrion) {
            // The agent changed the orion: take its structure, keep our execution state.
            current = synchronizer.mergeAndSyncOrionStates(current);
            lastAgentOrion = synchronizer.getCurrentOrion(orion.id);
            ready = [...getReadyTasks(current, readyOptions)];
          }
          ready.sort(compareReadyTasks);
          while (ready.length > 0 && running.size < maxConcurrency && !finished) {
            // A task that completed synchronously (inside start) has just registered a
            // modification: what it made ready waits for the gate, like everything else.
            if (gate?.hasPendingModifications(orionId)) break;
            const candidate = ready.shift() as Task;
            const task = current.tasks[candidate.id];
            // The merge may have removed, rewired or re-defined it since it became ready.
            if (task === undefined || task.status !== "pending" || running.has(task.id)) continue;
            start(task);
          }
          // Finish only when the agent has nothing pending either: its answer to the last
          // completion may add tasks (the held trigger resumes this loop when it comes).
          if (
            running.size === 0 &&
            ready.length === 0 &&
            !again &&
            !gate?.hasPendingModifications(orionId)
          ) {
            // Nothing runs and nothing is ready: recheck against the orion, then finish.
            const fresh = getReadyTasks(current, readyOptions).filter(
              (t) => t.status === "pending",
            );
            if (fresh.length > 0) {
              ready = [...fresh];
              again = true;
            } else {
              finish();
            }
          }
        } while (again && !finished);
      } finally {
        scheduling = false;
      }
    });

    // Each trigger carries the id of the newest event published before it (the completion
    // that made tasks ready): the gate holds it until the synchronizer has seen that event
    // and nothing of this orion is pending, whichever subscribed to the bus first.
    const triggers = new Subject<string | undefined>();
    const trigger = (): void => {
      if (heldSince === undefined) heldSince = now();
      triggers.next(lastEventId);
    };
    const causalGate = gate?.gate<string | undefined>({
      orionId,
      after: (id) => id,
      ...(options.unseenTimeout === undefined ? {} : { unseenTimeout: options.unseenTimeout }),
    });
    const triggerSubscription = (causalGate ? triggers.pipe(causalGate) : triggers).subscribe({
      next: () => {
        if (heldSince !== undefined) {
          heldMs += now() - heldSince;
          heldSince = undefined;
        }
        schedule();
      },
      // The synchronizer's state ended (disposed) while tasks were held, or it failed.
      error: fail,
    });

    const cancel = (): void => {
      if (finished) return;
      finished = true;
      triggerSubscription.unsubscribe();
      for (const [taskId, entry] of running) {
        entry.abort.abort(new Error("orchestration cancelled"));
        entry.subscription?.unsubscribe();
        running.delete(taskId);
      }
      for (const task of Object.values(current.tasks)) {
        if (!isTerminalStatus(task.status))
          current = cancelTask(current, task.id, now(), readyOptions).orion;
      }
    };
    const onAbort = (): void => {
      if (finished) return;
      cancel();
      publish({ type: "ORION_FAILED", orionId: current.id });
      subscriber.next({ kind: "finished", at: now(), result: result("cancelled") });
      subscriber.complete();
    };
    if (options.signal?.aborted) {
      onAbort();
      return;
    }

    options.signal?.addEventListener("abort", onAbort, { once: true });

    publish({ type: "ORION_STARTED", orionId: current.id, orion: current });
    ready = [...getReadyTasks(current, readyOptions)];
    trigger();

    return () => {
      options.signal?.removeEventListener("abort", onAbort);
      cancel();
    };
  });
}
