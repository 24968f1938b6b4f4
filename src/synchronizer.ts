/**
 * The imperative facade: the Python original's API, in TypeScript idiom, built on the
 * operators (one fold, one gate, one wait point; nothing is implemented twice).
 */
import {
  asyncScheduler,
  defer,
  distinctUntilChanged,
  EMPTY,
  map,
  merge,
  ReplaySubject,
  share,
  Subject,
  Observable,
  Subscription,
  type MonoTypeOperatorFunction,
  type SchedulerLike,
} from "rxjs";
import { gateReadyTasks, type GateReadyTasksOptions } from "../operators/gateReadyTasks.js";
import {
  DEFAULT_MODIFICATION_TIMEOUT,
  pendingModifications,
} from "../operators/pendingModifications.js";
import { skipStaleStates } from "../operators/skipStaleStates.js";
import { waitForPendingModifications } from "../operators/waitForPendingModifications.js";
import {
  isStillSettled,
  settleToken,
  whenSettled,
  type Settled,
  type SettleToken,
  type WhenSettledOptions,
} from "../operators/whenSettled.js";
import type { OrionEventObserver } from "./bus.js";
import type { OrionEvent, TaskEvent } from "./events.js";
import { checkTimeout } from "./internal/durations.js";
import { guardLogger, type SynchronizerLogger } from "./internal/logger.js";
import { CurrentValue, Multicast } from "./internal/Multicast.js";
import { mergeOrionStates, type MergeOptions, type MergeResult } from "./orion/mergeOrionStates.js";
import type { TaskOrion } from "./orion/types.js";
import {
  holdsTasks,
  pendingIn,
  touchedOrions,
  type ScopePolicy,
  type PendingState,
  type PendingStats,
  type PendingTransition,
} from "./pending/PendingState.js";
import { soleTouchedOrion } from "./pending/soleTouchedOrion.js";
import { initialPendingState, type PendingCommand } from "./pending/reducePending.js";

export type { SynchronizerLogger };

/** Options of {@link OrionModificationSynchronizer}. */
export interface OrionModificationSynchronizerOptions<O = unknown> {
  /** The orchestrator this synchronizer serves, kept for the caller (as in the original). */
  readonly orchestrator?: O;
  /** Silent by default. A timed-out modification is logged as a warning naming the task. */
  readonly logger?: SynchronizerLogger;
  /** How long a modification may stay pending, in ms. Default 600 000 (10 minutes). */
  readonly modificationTimeout?: number;
  /** Where timeouts run. Default `asyncScheduler`; a `TestScheduler` gives virtual time. */
  readonly scheduler?: SchedulerLike;
  /** Options of the merge done by {@link OrionModificationSynchronizer.mergeAndSyncOrionStates}. */
  readonly merge?: MergeOptions;
  /**
   * When a task event happened, for events replayed from a durable log: see
   * `PendingModificationsOptions.registeredAt`. Default: the time the event arrives.
   */
  readonly registeredAt?: (event: TaskEvent) => number | undefined;
  /**
   * The state to start from (a restored snapshot, see `restorePendingState`) instead of an
   * empty one: see `PendingModificationsOptions.initialState`.
   */
  readonly initialState?: PendingState;
  /** Which ready tasks a modification holds: see `PendingModificationsOptions.scope`. */
  readonly scope?: ScopePolicy;
  /** `'proceed'` (default) or `'hold'`: see `PendingModificationsOptions.onTimeout`. */
  readonly onTimeout?: "proceed" | "hold";
}

const silent: SynchronizerLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

function logTransition(logger: SynchronizerLogger, last: PendingTransition): void {
  switch (last.kind) {
    case "registered":
      logger.debug(
        `Registered modification for task '${last.entry.taskId}' of orion '${last.entry.orionId}'`,
      );
      return;
    case "completed":
      if (last.entries.length > 0) {
        logger.debug(
          `Completed modification(s) for ${last.entries.map((e) => `'${e.taskId}'`).join(", ")} of orion '${last.orionId}'`,
        );
      }
      if (last.late.length > 0) {
        logger.info(
          `Late modification(s) for ${last.late.map((t) => `'${t}'`).join(", ")}: they had already timed out or been cleared`,
        );
      }
      return;
    case "timed-out":
      for (const entry of last.entries) {
        logger.warn(
          `Modification for task '${entry.taskId}' of orion '${entry.orionId}' timed out after ${entry.deadline - entry.registeredAt} ms. Auto-completing to prevent deadlock.`,
        );
      }
      return;
    case "cleared":
      logger.warn(
        `Cleared ${last.entries.length} pending modification(s) (${last.countedAs === "timed-out" ? `a wait timed out after ${last.waitTimeout ?? "?"} ms` : "on request"})`,
      );
      return;
    case "ignored":
      if (last.reason === "invalid")
        logger.warn(`Ignored an invalid event: ${last.error?.message ?? "unknown reason"}`);
      else logger.debug("Ignored a duplicate event");
      return;
    default:
      return;
  }
}

/**
 * Keeps an orchestrator from running ahead of the agent's modifications: the spec's
 * `OrionModificationSynchronizer`, for code that is not reactive, built on
 * {@link pendingModifications}, {@link gateReadyTasks} and
 * {@link waitForPendingModifications}.
 *
 * @example
 * const synchronizer = new OrionModificationSynchronizer({ orchestrator, logger: console });
 * bus.subscribe(synchronizer); // or synchronizer.connect(events$)
 * orchestrator.setModificationSynchronizer(synchronizer);
 * // in the orchestrator's loop:
 * await synchronizer.waitForPendingModifications();
 * const orion = synchronizer.mergeAndSyncOrionStates(myOrion);
 */
export class OrionModificationSynchronizer<O = unknown> implements OrionEventObserver {
  /** The orchestrator given in the options. */
  readonly orchestrator: O | undefined;
  /** The pending state; replays the current state to a new subscriber. Completes on dispose. */
  readonly state$: Observable<PendingState>;
  /** The statistics, when they change; replays the current ones. */
  readonly statistics$: Observable<PendingStats>;

  // Multicasts, not subjects, on the paths every event takes: see `internal/Multicast.ts`.
  private readonly events = new Multicast<OrionEvent>();
  private readonly commands = new Subject<PendingCommand>();
  private readonly state: CurrentValue<PendingState>;
  private readonly fold: Subscription;
  private readonly connections = new Set<Subscription>();
  private readonly logger: SynchronizerLogger;
  private readonly scheduler: SchedulerLike;
  private readonly mergeOptions: MergeOptions | undefined;
  private readonly policies: {
    readonly scope: ScopePolicy;
    readonly onTimeout: "proceed" | "hold";
  };
  private disposed = false;
  /** What every gate of this synchronizer watches; see {@link gate}. Made on first use. */
  private gateStates: Observable<PendingState> | undefined;
  /** Brings {@link gateStates} up to date when a gate is made; see {@link gate}. */
  private readonly gateCatchUp = new Subject<PendingState>();
  /** Per-orion listeners of {@link orionStates}. */
  private readonly routes = new Map<string, Multicast<PendingState>>();

  /** @throws RangeError for a `modificationTimeout` that is not a positive finite number. */
  constructor(options: OrionModificationSynchronizerOptions<O> = {}) {
    const modificationTimeout = checkTimeout(
      options.modificationTimeout ?? DEFAULT_MODIFICATION_TIMEOUT,
      "modificationTimeout",
    );
    this.orchestrator = options.orchestrator;
    this.logger = options.logger ? guardLogger(options.logger) : silent;
    this.scheduler = options.scheduler ?? asyncScheduler;
    this.mergeOptions = options.merge;
    this.policies = { scope: options.scope ?? "orion", onTimeout: options.onTimeout ?? "proceed" };
    this.state = new CurrentValue(
      options.initialState ?? initialPendingState(modificationTimeout, this.scheduler.now()),
    );
    const fold = this.events.observable.pipe(
      pendingModifications({
        modificationTimeout,
        scheduler: this.scheduler,
        commands: this.commands,
        ...(options.registeredAt ? { registeredAt: options.registeredAt } : {}),
        ...(options.initialState ? { initialState: options.initialState } : {}),
        ...(options.scope === undefined ? {} : { scope: options.scope }),
        ...(options.onTimeout === undefined ? {} : { onTimeout: options.onTimeout }),
      }),
    );
    this.fold = fold.subscribe({
      next: (s) => {
        // Only newer states: this drops the fold's own initial state (version 0, equivalent
        // to the one above) and any state a re-entrant cascade delivers late.
        if (s.version <= this.state.value.version) return;
        // Without a logger, no message is built (a string or two per event otherwise).
        if (this.logger !== silent) logTransition(this.logger, s.last);
        this.state.next(s);
        this.route(s);
      },
      error: (error: unknown) => {
        // Gates and waits must not believe a dead fold: they fail with its error.
        this.logger.error("orion-sync: the pending-modifications fold failed", error);
        this.state.error(error);
        for (const route of Array.from(this.routes.values())) route.error(error);
      },
    });
    this.state$ = this.state.observable;
    this.statistics$ = this.state$.pipe(
      skipStaleStates(),
      map((s) => s.stats),
      distinctUntilChanged(),
    );
  }

  /** Receives an event: `bus.subscribe(synchronizer)` works as in the spec. */
  onEvent(event: OrionEvent): void {
    this.events.next(event);
  }

  /**
   * Feeds `events$` into this synchronizer until the returned subscription is
   * unsubscribed (or the synchronizer disposed). An error of `events$` is logged and ends
   * only that connection.
   * @throws Error after {@link dispose}.
   */
  connect(events$: Observable<OrionEvent>): Subscription {
    if (this.disposed) throw new Error("OrionModificationSynchronizer: connect() after dispose()");
    const connection = new Subscription();
    connection.add(() => this.connections.delete(connection));
    this.connections.add(connection);
    connection.add(
      events$.subscribe({
        next: (event) => this.events.next(event),
        error: (error: unknown) => {
          this.logger.error("orion-sync: a connected event stream failed", error);
          connection.unsubscribe();
        },
        complete: () => connection.unsubscribe(),
      }),
    );
    return connection;
  }

  /**
   * Resolves `true` once nothing is pending (at once if nothing is); with `orionId`, once
   * nothing of that orion is. If `timeout` ms (default: the modification timeout) pass
   * first, it clears what was pending for the whole wait (registered before it began and
   * still pending), so nothing deadlocks, counts those in `timeoutModifications`, and
   * resolves `false`; what registered during the wait is left to its own timeout. A clear
   * during the wait also resolves it `false`. Aborting `signal` rejects the wait and leaves
   * the pending set alone.
   *
   * `true` means nothing was pending at some moment after the call, not when the code after
   * `await` runs: to act on a settled orion use {@link whenSettled}, or take a
   * {@link settleToken} and check {@link isStillSettled} right before acting.
   *
   * @throws RangeError (synchronously) for a `timeout` that is not a positive finite number.
   */
  waitForPendingModifications(
    timeout?: number,
    options: { signal?: AbortSignal; orionId?: string } = {},
  ): Promise<boolean> {
    const ms = checkTimeout(timeout ?? this.state.value.modificationTimeout, "timeout");
    // What this wait may clear: modifications registered before it began.
    const registeredBefore = this.state.value.stats.totalModifications;
    const { orionId, signal } = options;
    // Only a timeout clears: a wait that a clear ended must not clear what a subscriber
    // registered in reaction to that clear. Scheduled before the wait's own timer, so it
    // runs first at the same instant.
    let timedOut = false;
    const timeoutFlag = this.scheduler.schedule(() => (timedOut = true), ms);
    return waitForPendingModifications(this.state$, {
      timeout: ms,
      scheduler: this.scheduler,
      ...(signal ? { signal } : {}),
      ...(orionId === undefined ? {} : { orionId }),
    })
      .finally(() => timeoutFlag.unsubscribe())
      .then((settled) => {
        if (!settled && timedOut && !this.disposed && pendingIn(this.state.value, orionId) > 0) {
          this.commands.next({
            kind: "clear",
            countAs: "timed-out",
            registeredBefore,
            waitTimeout: ms,
            ...(orionId === undefined ? {} : { orionId }),
          });
        }
        return settled;
      });
  }

  /**
   * Runs `act` in the very turn `orionId` (or, with `undefined`, every orion) has nothing
   * pending, and resolves with its result: the safe form of "wait, then start", since no
   * completion can register between the check and the act. `act` gets the agent's latest
   * orion (merge your execution state into it with {@link mergeAndSyncOrionStates}) and a
   * settle token. At once if already settled. Never clears anything; with `timeout`, it
   * rejects with `SettleTimeoutError`.
   *
   * @example
   * await sync.whenSettled(orion.id, () => {
   *   const merged = sync.mergeAndSyncOrionStates(myOrion);
   *   for (const task of getReadyTasks(merged)) start(task);
   * });
   */
  whenSettled<R>(
    orionId: string | undefined,
    act: (settled: Settled) => R,
    options: Omit<WhenSettledOptions, "scheduler"> = {},
  ): Promise<R> {
    if (this.disposed) return Promise.reject(new Error("whenSettled() after dispose()"));
    const states = orionId === undefined ? this.state$ : this.orionStates(orionId);
    return whenSettled(states, orionId, act, { ...options, scheduler: this.scheduler });
  }

  /**
   * A token of whether `orionId` (or every orion) is settled now. Take it when you decide
   * what to start; check {@link isStillSettled} right before starting, after any `await`.
   */
  settleToken(orionId?: string): SettleToken {
    return settleToken(this.state.value, orionId);
  }

  /**
   * Whether `token` still holds: nothing pending, and no modification registered nor agent
   * orion arrived since it was taken. `false` means decide again on the current orion.
   */
  isStillSettled(token: SettleToken): boolean {
    return isStillSettled(this.state.value, token);
  }

  /**
   * The latest orion: from `ORION_STARTED`, the agent's `newOrion`, or the last merge. With
   * `orionId`, that orion's (several orions may share one synchronizer); without, the last
   * one set, whichever orion it was.
   */
  getCurrentOrion(orionId?: string): TaskOrion | undefined {
    return orionId === undefined
      ? this.state.value.currentOrion
      : this.state.value.orions.get(orionId);
  }

  /** Whether any modification is pending (with `orionId`: of that orion). */
  hasPendingModifications(orionId?: string): boolean {
    return pendingIn(this.state.value, orionId) > 0;
  }

  /**
   * Whether a modification of `orionId` owed now holds any of `taskIds` (its scope contains
   * one, or is the whole orion): the per-task form of {@link hasPendingModifications}.
   */
  holdsTasks(orionId: string, taskIds: readonly string[]): boolean {
    return holdsTasks(this.state.value, orionId, taskIds);
  }

  /** The scope and timeout policies it was made with: an orchestrator follows them. */
  getPolicies(): { readonly scope: ScopePolicy; readonly onTimeout: "proceed" | "hold" } {
    return this.policies;
  }

  /** How many tasks have a modification pending (with `orionId`: of that orion). */
  getPendingCount(orionId?: string): number {
    return pendingIn(this.state.value, orionId);
  }

  /** The task ids with a pending modification (of `orionId`, or of every orion), in no particular order. */
  getPendingTaskIds(orionId?: string): string[] {
    const ids: string[] = [];
    if (pendingIn(this.state.value, orionId) === 0) return ids;
    for (const entry of this.state.value.pending.values()) {
      if (orionId === undefined || entry.orionId === orionId) ids.push(entry.taskId);
    }
    return ids;
  }

  /** A copy of the statistics. */
  getStatistics(): PendingStats {
    return { ...this.state.value.stats };
  }

  /** The timeout given to new registrations, in ms. */
  getModificationTimeout(): number {
    return this.state.value.modificationTimeout;
  }

  /**
   * Sets the timeout of new registrations (pending ones keep theirs).
   * @throws RangeError for 0, a negative number, NaN or an infinite value.
   */
  setModificationTimeout(ms: number): void {
    this.commands.next({
      kind: "set-timeout",
      modificationTimeout: checkTimeout(ms, "modificationTimeout"),
    });
  }

  /** Removes every pending modification (counted in `clearedModifications`); waits resolve `false`. */
  clearPendingModifications(): void {
    this.commands.next({ kind: "clear" });
  }

  /**
   * Merges the agent's current orion of the same id with the orchestrator's execution state (see
   * `mergeOrionStates`), makes the result the current orion and returns it. Without an
   * agent orion, returns `orchestratorOrion` unchanged. An invalid merge (the agent's
   * edits would make a cycle or a dangling edge) keeps the orchestrator's orion and logs
   * the error; {@link mergeAndSyncOrionStatesWithReport} returns the full report.
   */
  mergeAndSyncOrionStates(orchestratorOrion: TaskOrion): TaskOrion {
    return this.mergeAndSyncOrionStatesWithReport(orchestratorOrion).orion;
  }

  /** {@link mergeAndSyncOrionStates}, with the merge's report (undefined without an agent orion). */
  mergeAndSyncOrionStatesWithReport(orchestratorOrion: TaskOrion): {
    /** What {@link mergeAndSyncOrionStates} returns: the merged orion, now the current one. */
    readonly orion: TaskOrion;
    /** The merge's report; `undefined` when there was no agent orion to merge. */
    readonly report: MergeResult["report"] | undefined;
  } {
    const agentOrion = this.state.value.orions.get(orchestratorOrion.id);
    if (agentOrion === undefined) return { orion: orchestratorOrion, report: undefined };
    const result = mergeOrionStates(agentOrion, orchestratorOrion, this.mergeOptions);
    if (result.report.error) {
      this.logger.error(
        `orion-sync: the agent's orion is invalid; keeping the orchestrator's: ${result.report.error.message}`,
      );
    }
    this.commands.next({ kind: "set-orion", orion: result.orion });
    return result;
  }

  /**
   * {@link gateReadyTasks} bound to this synchronizer (and its scheduler). With a fixed
   * `orionId`, the gate hears only the states of that orion, so many orchestrations on one
   * synchronizer cost O(1) per event each, not O(gates).
   */
  gate<T>(options: GateReadyTasksOptions<T> = {}): MonoTypeOperatorFunction<T> {
    const orionId = options.orionId;
    if (orionId !== undefined) {
      const states = typeof orionId === "string" ? this.orionStates(orionId) : this.state$;
      return gateReadyTasks<T>(states, { scheduler: this.scheduler, ...options });
    }
    // Every gate (one per orchestration) watches one shared stream of only the states that
    // open or close it: a transition that leaves the gate as it was costs O(1), not a step
    // per gate, so many concurrent orchestrations on one synchronizer do not cost O(gates)
    // per event. It resets when the state ends, so a gate made after dispose() still fails.
    const catchUp = this.gateCatchUp;
    this.gateStates ??= merge(this.state$, catchUp).pipe(
      skipStaleStates(),
      distinctUntilChanged((a, b) => (a.pending.size === 0) === (b.pending.size === 0)),
      share({
        connector: () => new ReplaySubject<PendingState>(1),
        resetOnError: true,
        resetOnComplete: true,
        resetOnRefCountZero: true,
      }),
    );
    // A gate made inside a state$ subscriber (reacting to a state the shared stream has not
    // heard yet) would get the shared stream's replay of an older state. So, once subscribed,
    // it brings the shared stream up to date with the current state: every gate then sees
    // the same states in version order, and the shared stream drops the older one when it
    // arrives. (Giving each gate its own starting state instead lets the shared stream drop a
    // later transition that the new gate needed.)
    const current = defer(() => {
      if (!this.disposed) catchUp.next(this.state.value);
      return EMPTY;
    });
    return gateReadyTasks<T>(merge(this.gateStates, current), {
      scheduler: this.scheduler,
      ...options,
    });
  }

  /**
   * The states that concern `orionId`: the current one on subscription, then each that
   * touched that orion (its pending set, its events, its orion). Routed by one subscription,
   * so a state costs O(its orion's listeners), whatever the number of orions.
   */
  private orionStates(orionId: string): Observable<PendingState> {
    return new Observable<PendingState>((subscriber) => {
      if (this.disposed) {
        subscriber.complete();
        return;
      }
      let route = this.routes.get(orionId);
      if (route === undefined) this.routes.set(orionId, (route = new Multicast()));
      const mine = route;
      // A subscriber passed on is used as it is: no layer is added per state.
      const subscription = mine.observable.subscribe(subscriber);
      subscriber.next(this.state.value);
      return () => {
        subscription.unsubscribe();
        if (!mine.observed && this.routes.get(orionId) === mine) this.routes.delete(orionId);
      };
    });
  }

  /** Hands `state` to the listeners of every orion its transition touched. */
  private route(state: PendingState): void {
    if (this.routes.size === 0) return;
    const sole = soleTouchedOrion(state.last);
    if (sole !== undefined) {
      this.routeTo(sole, state);
      return;
    }
    const touched = touchedOrions(state.last);
    // Indexed: a `for...of` that V8 does not optimise allocates an iterator result per step,
    // on every transition.
    for (let i = 0; i < touched.length; i++) this.routeTo(touched[i]!, state);
  }

  /** Delivers `state` to the transition listeners of `orionId`. */
  private routeTo(orionId: string, state: PendingState): void {
    this.routes.get(orionId)?.next(state);
  }

  /** Cancels every timer and subscription; `state$` completes and pending waits resolve `false`. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const connection of this.connections) connection.unsubscribe();
    this.connections.clear();
    this.fold.unsubscribe();
    this.events.complete();
    this.commands.complete();
    this.state.complete();
    this.gateCatchUp.complete();
    for (const route of Array.from(this.routes.values())) route.complete();
    this.routes.clear();
  }
}
