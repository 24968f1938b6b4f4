import { asyncScheduler, defer, Observable, type Subscription } from "rxjs";
import type { TaskOutcome } from "../orion/completeTask.js";
import { getBlockedTasks } from "../orion/getBlockedTasks.js";
import { agentOrionChange } from "../orion/internal/orionChanges.js";
import type { MergeOptions, MergeReport } from "../orion/mergeOrionStates.js";
import { createOrionRun, type OrionRun } from "../orion/OrionRun.js";
import { isTerminalStatus } from "../orion/taskStatus.js";
import type { Task, TaskOrion } from "../orion/types.js";
import {
  touchedOrions,
  type PendingEntry,
  type PendingState,
  type PendingTransition,
} from "../pending/PendingState.js";
import { soleTouchedOrion } from "../pending/soleTouchedOrion.js";
import type { OrionModificationSynchronizer } from "../synchronizer.js";
import type { OrionEvent } from "../events.js";
import { Multicast } from "../internal/Multicast.js";
import type {
  OrchestrateOptions,
  OrchestrationProgress,
  OrchestrationResult,
  ScopeViolation,
  TaskTiming,
} from "./types.js";
import { createHeldTime } from "./heldTime.js";
import { refOf, scopeViolationsIn } from "./scopeViolations.js";
import { eventProgress, OrionAt, taskContext } from "./lazyOrion.js";
import {
  abortTask,
  runTask,
  taskEndedEvent,
  taskStartedEvent,
  type RunningTask,
} from "./runTask.js";
import { firstStartable, heldByScopes, startableNow, type GateView } from "./startableNow.js";

/**
 * The synchronizer's merge options (`dropRemovedTasks`), which the run's merge must follow as
 * `mergeAndSyncOrionStates` did. The synchronizer keeps them private; read them, typed.
 */
function mergeOptionsOf(synchronizer: OrionModificationSynchronizer | undefined): MergeOptions {
  return (
    (synchronizer as unknown as { mergeOptions?: MergeOptions } | undefined)?.mergeOptions ?? {}
  );
}

/** Whether `last` touched `orionId`: without an array for the usual one-orion transition. */
function touches(last: PendingTransition, orionId: string): boolean {
  const sole = soleTouchedOrion(last);
  return sole !== undefined ? sole === orionId : touchedOrions(last).includes(orionId);
}

/**
 * The states that concern `orionId` (each that touched it), without the current one: the
 * synchronizer's own per-orion routing (O(listeners of that orion) per state), else a filter.
 */
function orionTransitions(
  synchronizer: OrionModificationSynchronizer,
  orionId: string,
): Observable<PendingState> {
  const routed = (
    synchronizer as unknown as {
      orionStates?: (id: string) => Observable<PendingState>;
    }
  ).orionStates;
  const states = routed === undefined ? synchronizer.state$ : routed.call(synchronizer, orionId);
  // Routed states all touched the orion already: only the unrouted stream needs the filter.
  const filtered = routed === undefined;
  return new Observable<PendingState>((subscriber) => {
    let ready = false; // the first value is the current state, whose transition is old
    const subscription = states.subscribe({
      next: (state) => {
        if (ready && (!filtered || touches(state.last, orionId))) subscriber.next(state);
      },
      error: (error: unknown) => subscriber.error(error),
      complete: () => subscriber.complete(),
    });
    ready = true;
    return subscription;
  });
}

/** Checks the policies against the synchronizer's (a mismatch would hold or run unexpectedly). */
function checkPolicies(options: OrchestrateOptions): void {
  const { onScopeViolation, onTimeout, synchronizer } = options;
  if (
    onScopeViolation !== undefined &&
    onScopeViolation !== "report" &&
    onScopeViolation !== "fail-orion"
  ) {
    throw new RangeError(
      `onScopeViolation must be 'report' or 'fail-orion', got ${String(onScopeViolation)}`,
    );
  }
  if (
    onTimeout !== undefined &&
    onTimeout !== "proceed" &&
    onTimeout !== "fail-orion" &&
    onTimeout !== "hold"
  ) {
    throw new RangeError(
      `onTimeout must be 'proceed', 'fail-orion' or 'hold', got ${String(onTimeout)}`,
    );
  }
  const holding = synchronizer?.getPolicies().onTimeout === "hold";
  // Only the synchronizer's fold can keep an overdue modification holding, so the two must agree.
  if (onTimeout === "hold" && !holding) {
    throw new RangeError(
      "onTimeout 'hold' needs a synchronizer made with onTimeout: 'hold' (new OrionModificationSynchronizer({ onTimeout: 'hold' }))",
    );
  }
  if (onTimeout === "proceed" && holding) {
    throw new RangeError("onTimeout 'proceed' with a synchronizer made with onTimeout: 'hold'");
  }
}

/** Hooks for this package's own callers (the simulation), not part of the public API. */
export interface OrchestrateInternals {
  /** Called once with the run before anything is published: read it synchronously only. */
  readonly onRun?: (run: OrionRun) => void;
  /**
   * `false`: no progress value per event, only the result (`runOrion`, which reads nothing
   * else). Each such value is an object literal with a getter, which costs V8 a runtime call
   * (about 0.7 µs), two per task, and then a trip down the caller's pipeline.
   */
  readonly eventProgress?: boolean;
}

/**
 * A run's event ids, unique within the orion across runs and workers: the run's prefix, then
 * a counter.
 */
function eventIds(runId: string): () => string {
  let seq = 0;
  return () => `${runId}:${++seq}`;
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
  checkPolicies(options);
  return new Observable<OrchestrationProgress>((subscriber) => {
    const { bus, synchronizer, executeTask, readyOptions, recordStart } = options;
    const orionId = orion.id;
    const emitEvents = internals.eventProgress !== false;
    /** This run's next event id. */
    const nextId = eventIds(options.runId ?? randomRunId());
    /** The id of the newest event this run published: what a trigger was computed after. */
    let lastEventId: string | undefined;
    /** The synchronizer to wait for, if any: with `gate: false`, it is only merged from. */
    const gate = options.gate === false ? undefined : synchronizer;
    const policies = synchronizer?.getPolicies();
    /** Scoped starts: a ready task waits only for modifications whose scope holds it. */
    const scoped =
      gate !== undefined &&
      (options.scoped ?? (policies !== undefined && policies.scope !== "orion"));
    const failOnViolation = options.onScopeViolation === "fail-orion";
    const failOnTimeout = options.onTimeout === "fail-orion";
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
    let lastAgentOrion = synchronizer?.getCurrentOrion(orion.id);
    const running = new Map<string, RunningTask>();
    const timings = new Map<string, TaskTiming>();
    /** Ended (finished, failed or cancelled): nothing more happens. */
    let finished = false;
    /** The scheduling loop runs; a re-entrant call sets `again` for one more pass of it. */
    let scheduling = false;
    let again = false;
    /** The held time and, scoped, the tasks' holds: what the result reports of the gate. */
    const heldTime = createHeldTime(now);
    const scopeViolations: ScopeViolation[] = [];
    /** Tasks with a violation recorded: one per task (a full merge reports a change again). */
    const violated = new Set<string>();
    /** Modifications the agent's answers completed since the last merge of its orion. */
    const answered: PendingEntry[] = [];

    /** Emits `event` as progress, with the orion as it is now (built only if read). */
    const announce = (event: OrionEvent): void => {
      if (!emitEvents) return;
      subscriber.next(eventProgress(now(), event, new OrionAt(run), running.size));
    };
    /** Publishes `event` (with this run's next id, unless it has one), then emits it. */
    const publish = (event: OrionEvent): void => {
      const identified = event.eventId === undefined ? { ...event, eventId: nextId() } : event;
      lastEventId = identified.eventId;
      bus.publish(identified);
      announce(identified);
    };

    /** The result the orchestration ends with (`failure`: why a policy failed the orion). */
    const result = (
      outcome: OrchestrationResult["outcome"],
      failure?: OrchestrationResult["failure"],
    ): OrchestrationResult => {
      const final = run.snapshot();
      return {
        orion: final,
        state: final.state,
        outcome,
        timings: [...timings.values()],
        // Only a task that has not started can be blocked: after a full run, none is.
        blocked:
          outcome === "cancelled" || run.counts().notStarted === 0
            ? []
            : getBlockedTasks(final, readyOptions),
        heldMs: heldTime.ms,
        startedAt,
        endedAt: now(),
        statistics:
          synchronizer === undefined
            ? undefined
            : { ...synchronizer.getStatistics(), scopeViolations: scopeViolations.length },
        scopeViolations: [...scopeViolations],
        taskHolds: [...heldTime.taskHolds],
        ...(failure === undefined ? {} : { failure }),
      };
    };

    /** Stops listening: the orchestration has ended (nothing more starts or is published). */
    const stop = (): void => {
      finished = true;
      triggerSubscription.unsubscribe();
      stateSubscription?.unsubscribe();
      heldTime.endTaskHolds();
    };

    /** The last thing an orchestration does: publishes the orion's end, emits the result. */
    const end = (
      outcome: OrchestrationResult["outcome"],
      failure?: OrchestrationResult["failure"],
    ): void => {
      publish({ type: outcome === "completed" ? "ORION_COMPLETED" : "ORION_FAILED", orionId });
      subscriber.next({ kind: "finished", at: now(), result: result(outcome, failure) });
      subscriber.complete();
    };

    /** Nothing runs, is pending or may start: `ORION_COMPLETED` (or `ORION_FAILED`), the end. */
    const finish = (): void => {
      stop();
      const counts = run.counts();
      end(counts.completed === counts.total ? "completed" : "failed");
    };

    /** A policy fails the orion: what runs is cancelled, `ORION_FAILED`, outcome `failed`. */
    const failOrion = (why: NonNullable<OrchestrationResult["failure"]>): void => {
      if (finished) return;
      cancel();
      end("failed", why);
    };

    /** Ends the orchestration with `error` (cancelling what runs), instead of throwing it away. */
    const fail = (error: unknown): void => {
      if (finished) return;
      cancel();
      subscriber.error(error);
    };
    /**
     * `f`, where a throw fails the orchestration (see `fail`) instead of escaping. One argument
     * at most: a rest parameter would allocate an array on every call, several per task.
     */
    const guarded =
      <T = void>(f: (value: T) => void) =>
      (value: T): void => {
        try {
          f(value);
        } catch (error) {
          fail(error);
        }
      };

    /** A task's outcome: recorded on the run, its end published, then what it made ready. */
    const done = (taskId: string, outcome: TaskOutcome): void => {
      try {
        ended(taskId, outcome);
      } catch (error) {
        fail(error);
      }
    };
    /** `done`, unguarded. */
    const ended = (taskId: string, outcome: TaskOutcome): void => {
      if (finished || !running.has(taskId)) return;
      running.delete(taskId);
      if (run.task(taskId)?.status !== "running") {
        // The agent removed the task, or the merge made it terminal: its outcome has nowhere
        // to go. Nothing is published for it; the orchestration goes on.
        trigger();
        return;
      }
      // One reading of the clock for the end: the run, the timing and the event agree.
      const at = now();
      const newlyReady = run.complete(taskId, outcome, at);
      const timing = timings.get(taskId);
      if (timing) {
        // A literal in the spread's key order, not a spread: V8 gave nearly every spread copy
        // a hidden class of its own (measured: over 50 among 2,000 timings, one per task at
        // 10,000, each kept with its timing for the whole run).
        timings.set(taskId, {
          taskId: timing.taskId,
          startedAt: timing.startedAt,
          definition: timing.definition,
          status: run.task(taskId)?.status ?? timing.status,
          endedAt: at,
        });
      }
      publish(taskEndedEvent(orionId, taskId, outcome, at, newlyReady, nextId()));
      trigger();
    };

    /** Starts `task`: marks it running, publishes (or records) its start, then runs it. */
    const start = (task: Task): void => {
      // One reading of the clock for the start, as for the end.
      const at = now();
      run.start(task.id, at);
      timings.set(task.id, {
        taskId: task.id,
        startedAt: at,
        definition: task,
        status: "running",
      });
      const entry: RunningTask = {};
      running.set(task.id, entry);
      const startEvent = taskStartedEvent(orionId, task.id, at, nextId());
      const context = taskContext(entry, new OrionAt(run));
      /** Whether this start of the task is the one the run has (not ended, not cancelled). */
      const owns = (): boolean => running.get(task.id) === entry;
      /** Whether the orchestration still runs this task (a consumer may cancel on its start). */
      const current = (): boolean => !finished && owns();
      const execute = (): void =>
        runTask(task, entry, context, executeTask, owns, (outcome) => done(task.id, outcome));
      if (recordStart === undefined) {
        publish(startEvent);
        if (current()) execute();
        return;
      }
      // With recordStart (a fenced broker write), the task runs only once its start is
      // recorded; a refusal fails the orchestration and the task never runs.
      const subscription = defer(() => recordStart(startEvent)).subscribe({
        next: () => undefined,
        complete: () => {
          if (!current()) return;
          announce(startEvent);
          if (current()) execute();
        },
        error: fail,
      });
      if (running.has(task.id) && entry.subscription === undefined) {
        entry.subscription = subscription;
      }
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
      checkScopes(report);
      rejected = report.error !== undefined;
      if (rejected) {
        sync.mergeAndSyncOrionStates(run.snapshot());
        lastAgentOrion = sync.getCurrentOrion(orionId);
      }
    };

    /**
     * Records the scope violations of a merge (see `scopeViolationsIn`) against the answers
     * since the last one; with `onScopeViolation: 'fail-orion'`, the first fails the orion.
     */
    const checkScopes = (report: MergeReport): void => {
      const answers = answered.splice(0);
      for (const violation of scopeViolationsIn(report, answers, violated, now)) {
        violated.add(violation.taskId);
        scopeViolations.push(violation);
        if (failOnViolation) {
          failOrion({ kind: "scope-violation", violation });
          return;
        }
      }
    };

    // The gate is used twice, on purpose. Reactively: every "tasks may be ready" moment is a
    // trigger that waits in `causalGate` (below) until the synchronizer has seen the event
    // that caused it and nothing of the orion holds; its release runs `schedule`. And polled:
    // `startableNow` reads the synchronizer's current state before each start. The poll cannot
    // go: a task that completes synchronously inside `start` publishes its completion, and
    // the synchronizer registers the agent's modification, while this loop still runs (that
    // completion's trigger waits at the gate, or only sets `again` if it passes); without the
    // poll the loop would start what the completion made ready before the agent answered
    // (checked: the event order of instant tasks changes). Scoped, the trigger waits only for
    // whole-orion holds and the per-task scopes are polled alone.
    /** What the loop asks the gate (see `startableNow`): nothing, the orion, or task scopes. */
    const gateView: GateView =
      gate === undefined
        ? { kind: "none" }
        : scoped
          ? { kind: "scoped", holds: (taskIds) => gate.holdsTasks(orionId, taskIds) }
          : { kind: "orion", pending: () => gate.hasPendingModifications(orionId) };
    const readyTasks = (): readonly Task[] => run.ready();
    /** Whether a start of that task still runs. */
    const isRunning = (taskId: string): boolean => running.has(taskId);
    /** Another pass was asked for, or the agent changed its orion since the last merge. */
    const mustMergeFirst = (): boolean =>
      again || synchronizer?.getCurrentOrion(orionId) !== lastAgentOrion;

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
          // One start at a time, deciding again after each: a start can complete a task at
          // once, register a modification, make tasks ready or bring the agent's answer.
          while (!finished) {
            const next = startableNow({
              best: run.peekReady(),
              ready: readyTasks,
              isRunning,
              runningCount: running.size,
              maxConcurrency,
              gate: gateView,
              mustMergeFirst,
            });
            if (next.kind === "start") {
              start(next.task);
              continue;
            }
            // If the agent answered in the same turn, its orion is merged before the next
            // start (the outer loop does it): never start from the definition it replaced.
            if (next.why === "merge-first") again = true;
            break;
          }
          if (scoped && !finished) noteHolds();
          // Finish only when the agent has nothing pending either: its answer to the last
          // completion may add tasks (the held trigger resumes this loop when it comes).
          if (
            !finished &&
            running.size === 0 &&
            !again &&
            !gate?.hasPendingModifications(orionId) &&
            firstStartable(run.peekReady(), readyTasks, isRunning) === undefined
          ) {
            finish();
          }
        } while (again && !finished);
      } finally {
        scheduling = false;
      }
    });

    /** Scoped: which ready tasks a scope holds now, for the held time and `taskHolds`. */
    const noteHolds = (): void => {
      const held =
        run.readyCount() > 0 && gateView.kind === "scoped"
          ? heldByScopes(run.ready(), isRunning, gateView.holds)
          : new Set<string>();
      heldTime.tasksHeld(held);
    };

    // Subscribed before the trigger's gate, so a policy sees a transition before the gate
    // releases anything on it (a timeout fails the orion before a held task starts).
    // The synchronizer's transitions of this orion: the answers (their scopes, for the
    // violation check), the timeout policy, and, scoped, every end of a hold restarts the
    // loop in that very turn (through the trigger path: it keeps the causal `after`).
    const stateSubscription: Subscription | undefined =
      synchronizer === undefined
        ? undefined
        : orionTransitions(synchronizer, orionId).subscribe({
            next: guarded((state: PendingState): void => {
              if (finished) return;
              const last = state.last;
              if (
                last.kind === "completed" &&
                last.trigger === "ORION_MODIFIED" &&
                last.orionUpdated
              ) {
                answered.push(...last.entries.filter((e) => e.orionId === orionId));
              }
              if (failOnTimeout && (last.kind === "timed-out" || last.kind === "overdue")) {
                const entry = last.entries.find((e) => e.orionId === orionId);
                if (entry !== undefined) {
                  failOrion({ kind: "modification-timeout", modification: refOf(entry) });
                  return;
                }
              }
              if (
                scoped &&
                (last.kind === "completed" ||
                  last.kind === "timed-out" ||
                  last.kind === "cleared" ||
                  last.kind === "declared")
              ) {
                trigger();
              }
            }),
            // A failed or ended state: the trigger's gate reports it.
            error: () => undefined,
          });

    // Each trigger carries the id of the newest event published before it (the completion
    // that made tasks ready): the gate holds it until the synchronizer has seen that event
    // and nothing of this orion is pending, whichever subscribed to the bus first.
    const triggers = new Multicast<string | undefined>();
    /** The newest id a released trigger carried: the synchronizer has seen it for good. */
    let confirmedId: string | undefined;
    /** A "tasks may be ready" moment: to the gate, then (released) to `schedule`. */
    const trigger = (): void => {
      heldTime.triggerWaiting(true);
      // Nothing published since the last release: nothing new to wait for. (The fold forgets
      // ids after a while; an id already confirmed must not be asked for again.)
      triggers.next(lastEventId === confirmedId ? undefined : lastEventId);
    };
    const causalGate = gate?.gate<string | undefined>({
      orionId,
      after: (id) => id,
      // Scoped: a trigger waits for its event to be seen and for whole-orion holds only; the
      // loop checks each task's scopes.
      ...(scoped ? { tasks: () => [] } : {}),
      ...(options.unseenTimeout === undefined ? {} : { unseenTimeout: options.unseenTimeout }),
    });
    const triggerSubscription = (
      causalGate ? triggers.observable.pipe(causalGate) : triggers.observable
    ).subscribe({
      next: (id) => {
        if (id !== undefined) confirmedId = id;
        heldTime.triggerWaiting(false);
        schedule();
      },
      // The synchronizer's state ended (disposed) while tasks were held, or it failed.
      error: fail,
    });

    /** Stops everything: aborts running tasks, marks every unfinished task cancelled. */
    const cancel = (): void => {
      if (finished) return;
      stop();
      for (const [taskId, entry] of running) {
        abortTask(entry, new Error("orchestration cancelled"));
        running.delete(taskId);
      }
      for (const task of Object.values(run.snapshot().tasks)) {
        if (!isTerminalStatus(task.status)) run.cancel(task.id, now());
      }
    };
    /** `signal` aborted: cancelled, `ORION_FAILED`, outcome `cancelled`. */
    const onAbort = (): void => {
      if (finished) return;
      cancel();
      end("cancelled");
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
