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
import type { TaskOutcome } from "../orion/completeTask.js";
import { getBlockedTasks } from "../orion/getBlockedTasks.js";
import { agentOrionChange } from "../orion/internal/orionChanges.js";
import type { MergeOptions } from "../orion/mergeOrionStates.js";
import { createOrionRun, type OrionRun } from "../orion/OrionRun.js";
import { isTerminalStatus } from "../orion/isTerminalStatus.js";
import type { JsonValue, Task, TaskOrion } from "../orion/types.js";
import type { OrionModificationSynchronizer } from "../synchronizer.js";
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

/**
 * The synchronizer's merge options (`dropRemovedTasks`), which the run's merge must follow as
 * `mergeAndSyncOrionStates` did. The synchronizer keeps them private; read them, typed.
 */
function mergeOptionsOf(synchronizer: OrionModificationSynchronizer | undefined): MergeOptions {
  return (
    (synchronizer as unknown as { mergeOptions?: MergeOptions } | undefined)?.mergeOptions ?? {}
  );
}

/** Hooks for this package's own callers (the simulation), not part of the public API. */
export interface OrchestrateInternals {
  /** Called once with the run before anything is published: read it synchronously only. */
  readonly onRun?: (run: OrionRun) => void;
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
  return orchestrate(orion, options, {});
}

/**
 * `orchestrateOrion` with internal hooks. Every per-task step works on an `OrionRun` (issue 15):
 * O(1 + the task's edges), no copy, recount or rescan of the orion; the agent's orion is merged
 * by its difference from the last one; plain orions are built only when read (the `orion` of a
 * progress event or of `executeTask`'s context is a getter, computed on first read from the
 * run's history, so an unread one costs nothing).
 * @internal
 */
export function orchestrate(
  orion: TaskOrion,
  options: OrchestrateOptions,
  internals: OrchestrateInternals,
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
    let run: OrionRun;
    try {
      run = createOrionRun(orion, {
        ...mergeOptionsOf(synchronizer),
        ...(readyOptions?.conditions === undefined ? {} : { conditions: readyOptions.conditions }),
        keepHistory: true,
      });
    } catch (error) {
      // InvalidOrionError when `orion` fails `validateOrion`: an error notification.
      subscriber.error(error);
      return;
    }
    internals.onRun?.(run);
    /** The orion at the run's current version, built on first read (then memoised). */
    const lazyOrion = (): (() => TaskOrion) => {
      const version = run.version;
      let orionThen: TaskOrion | undefined;
      return () => (orionThen ??= run.snapshotAt(version));
    };
    let lastAgentOrion = synchronizer?.getCurrentOrion(orion.id);
    const running = new Map<
      string,
      { readonly abort: AbortController; subscription?: Subscription }
    >();
    const timings = new Map<string, TaskTiming>();
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
      const orionNow = lazyOrion();
      subscriber.next({
        kind: "event",
        at: now(),
        event,
        get orion() {
          return orionNow();
        },
        running: running.size,
      });
    };
    const publish = (event: OrionEvent): void => {
      const identified = event.eventId === undefined ? identify(event) : event;
      lastEventId = identified.eventId;
      bus.publish(identified);
      announce(identified);
    };

    const result = (outcome: OrchestrationResult["outcome"]): OrchestrationResult => {
      const final = run.snapshot();
      return {
        orion: final,
        state: final.state,
        outcome,
        timings: [...timings.values()],
        blocked: outcome === "cancelled" ? [] : getBlockedTasks(final, readyOptions),
        heldMs,
        startedAt,
        endedAt: now(),
        statistics: synchronizer?.getStatistics(),
      };
    };

    const finish = (): void => {
      finished = true;
      triggerSubscription.unsubscribe();
      const counts = run.counts();
      const outcome = counts.completed === counts.total ? "completed" : "failed";
      publish({ type: outcome === "completed" ? "ORION_COMPLETED" : "ORION_FAILED", orionId });
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
      if (run.task(taskId)?.status !== "running") {
        // The agent removed the task, or the merge made it terminal: its outcome has nowhere
        // to go. Nothing is published for it; the orchestration goes on.
        trigger();
        return;
      }
      const newlyReady = run.complete(taskId, outcome, now());
      const timing = timings.get(taskId);
      if (timing) {
        timings.set(taskId, {
          ...timing,
          endedAt: now(),
          status: run.task(taskId)?.status ?? timing.status,
        });
      }
      publish({
        type: outcome.success ? "TASK_COMPLETED" : "TASK_FAILED",
        orionId,
        taskId,
        timestamp: now(),
        ...(outcome.success
          ? outcome.result === undefined
            ? {}
            : { result: outcome.result }
          : { error: outcome.error }),
        newlyReadyTaskIds: newlyReady.map((t) => t.id),
      });
      trigger();
    });

    const start = (task: Task): void => {
      run.start(task.id, now());
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
        orionId,
        taskId: task.id,
        timestamp: now(),
      });
      const from = lazyOrion();
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
              toObservable(
                executeTask(task, {
                  signal: entry.abort.signal,
                  get orion() {
                    return from();
                  },
                }),
              ),
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

    /**
     * Merges the agent's orion into the run. A rejected one (a cycle, a dangling edge) goes
     * through the synchronizer's whole-orion merge once more, so it logs the error and keeps
     * our orion as its current one, as before; that path is O(n), and only on an error.
     */
    let rejected = false;
    const merge = (
      sync: OrionModificationSynchronizer,
      agentOrion: TaskOrion,
      previous: TaskOrion | undefined,
    ): void => {
      // A change noted by the agent's helper (e.g. the simulation's edit) against the orion the
      // run merged last is exact; otherwise the run finds it by comparing task objects.
      const hint = rejected ? undefined : agentOrionChange(agentOrion, previous);
      const report = run.applyAgentOrion(agentOrion, hint);
      rejected = report.error !== undefined;
      if (rejected) {
        sync.mergeAndSyncOrionStates(run.snapshot());
        lastAgentOrion = sync.getCurrentOrion(orionId);
      }
    };

    /** Whether the run may start `task` now: only `pending` ones, never one still running. */
    const startable = (task: Task): boolean => task.status === "pending" && !running.has(task.id);
    /** The best ready task that may start; the sorted fallback is for rare skipped ones. */
    const nextStartable = (): Task | undefined => {
      const best = run.peekReady();
      return best === undefined || startable(best) ? best : run.ready().find(startable);
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
            // The agent changed the orion: take its structure, keep our execution state, by
            // the difference from its last orion (the run keeps readiness up to date).
            const previous = lastAgentOrion;
            lastAgentOrion = agentOrion;
            merge(synchronizer, agentOrion, previous);
          }
          for (
            let task = nextStartable();
            task !== undefined && running.size < maxConcurrency && !finished;
            task = nextStartable()
          ) {
            // A task that completed synchronously (inside start) has just registered a
            // modification: what it made ready waits for the gate, like everything else.
            if (gate?.hasPendingModifications(orionId)) break;
            // And if the agent answered in the same turn, its orion is merged before the next
            // start (the outer loop does it): never start from the definition it replaced.
            if (again || synchronizer?.getCurrentOrion(orionId) !== lastAgentOrion) {
              again = true;
              break;
            }
            start(task);
          }
          // Finish only when the agent has nothing pending either: its answer to the last
          // completion may add tasks (the held trigger resumes this loop when it comes).
          if (
            running.size === 0 &&
            !again &&
            !gate?.hasPendingModifications(orionId) &&
            nextStartable() === undefined
          ) {
            finish();
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
    /** The newest id a released trigger carried: the synchronizer has seen it for good. */
    let confirmedId: string | undefined;
    const trigger = (): void => {
      if (heldSince === undefined) heldSince = now();
      // Nothing published since the last release: nothing new to wait for. (The fold forgets
      // ids after a while; an id already confirmed must not be asked for again.)
      triggers.next(lastEventId === confirmedId ? undefined : lastEventId);
    };
    const causalGate = gate?.gate<string | undefined>({
      orionId,
      after: (id) => id,
      ...(options.unseenTimeout === undefined ? {} : { unseenTimeout: options.unseenTimeout }),
    });
    const triggerSubscription = (causalGate ? triggers.pipe(causalGate) : triggers).subscribe({
      next: (id) => {
        if (id !== undefined) confirmedId = id;
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
      for (const task of Object.values(run.snapshot().tasks)) {
        if (!isTerminalStatus(task.status)) run.cancel(task.id, now());
      }
    };
    const onAbort = (): void => {
      if (finished) return;
      cancel();
      publish({ type: "ORION_FAILED", orionId });
      subscriber.next({ kind: "finished", at: now(), result: result("cancelled") });
      subscriber.complete();
    };
    if (options.signal?.aborted) {
      onAbort();
      return;
    }

    options.signal?.addEventListener("abort", onAbort, { once: true });

    publish({ type: "ORION_STARTED", orionId, orion: run.snapshot() });
    trigger();

    return () => {
      options.signal?.removeEventListener("abort", onAbort);
      cancel();
    };
  });
}
