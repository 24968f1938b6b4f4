import {
  asyncScheduler,
  defer,
  distinctUntilChanged,
  EMPTY,
  finalize,
  map,
  merge,
  of,
  scan,
  Subject,
  takeUntil,
  tap,
  type Observable,
  type OperatorFunction,
  type SchedulerLike,
  type Subscription,
} from "rxjs";
import type { OrionEvent, TaskEvent } from "../src/events.js";
import { DeadlineQueue } from "../src/internal/DeadlineQueue.js";
import { pendingKey, type PendingState, type ScopePolicy } from "../src/pending/PendingState.js";
import {
  initialPendingState,
  reducePending,
  type ExpiryCandidate,
  type PendingCommand,
  type PendingInput,
} from "../src/pending/reducePending.js";
import { checkTimeout } from "../src/internal/durations.js";

/** The default modification timeout: 10 minutes, as in the Python original. */
export const DEFAULT_MODIFICATION_TIMEOUT = 600_000;

/** Options of {@link pendingModifications}. */
export interface PendingModificationsOptions {
  /** How long a modification may stay pending, in ms. Default 600 000 (10 minutes). */
  readonly modificationTimeout?: number;
  /** Where timeouts are scheduled and `now` is read. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  /**
   * Commands from the fold's owner (clear, change the timeout), merged with the events. The
   * fold subscribes to it before the source and stops listening when the source completes.
   * A `set-timeout` whose timeout is not a positive finite number fails the state stream
   * with a `RangeError` (a NaN timeout would never expire, an infinite one never either).
   */
  readonly commands?: Observable<PendingCommand>;
  /**
   * When a task event happened, if the caller knows better than the clock: a completion
   * registers a modification measured from this time (capped at now) instead of from its
   * arrival, so a completion replayed from a durable log (see `orion-sync/redis`) keeps
   * its deadline, and one older than the timeout times out at once. `undefined` (or a
   * non-finite number) means "now". Called with each `TASK_COMPLETED` / `TASK_FAILED`
   * value before validation; if it throws, the arrival time is used. Default: arrival time.
   *
   * @example
   * pendingModifications({ registeredAt: (event) => event.timestamp })
   */
  readonly registeredAt?: (event: TaskEvent) => number | undefined;
  /**
   * The state to start from instead of an empty one: a restored snapshot (see
   * `restorePendingState`). It is the first state emitted, and its pending and anticipated
   * deadlines are armed at subscription (overdue ones time out at once). Its own
   * `modificationTimeout` applies, not this option's.
   */
  readonly initialState?: PendingState;
  /**
   * Which ready tasks a modification holds (see {@link ScopePolicy}): `'orion'` (default,
   * UFO's behaviour: every task of its orion), `'downstream'` (the ended task's descendants,
   * plus tasks the agent adds), or a function. The agent can narrow a modification's scope
   * with `ORION_MODIFYING`. A gate uses scopes when its values name their tasks (`tasks`).
   */
  readonly scope?: ScopePolicy;
  /**
   * What a modification past its deadline becomes: `'proceed'` (default, UFO's: it times out
   * and stops holding) or `'hold'` (it stays owed and keeps holding its scope, reported once
   * as an `overdue` transition: for callers that prefer stopping to running stale).
   */
  readonly onTimeout?: "proceed" | "hold";
}

/**
 * Folds an orion event stream into the stream of {@link PendingState}s: which
 * modifications the agent still owes.
 *
 * Emits the initial empty state on subscription, then one state per input that changed
 * something: a `TASK_COMPLETED`/`TASK_FAILED` registers a modification, the agent's
 * `ORION_MODIFIED` completes the ones it names, and a modification still pending after
 * `modificationTimeout` times out so nothing deadlocks. Duplicates, out-of-order answers
 * and invalid values never break the stream: they are counted in `stats` and described in
 * `last` (see `reducePending` for every rule).
 *
 * Time: one action on `scheduler` is armed at the earliest deadline, whatever the number
 * of pending modifications; when nothing is pending, no timer is left. Each input costs
 * O(1) (persistent maps, no copy of the pending set), plus O(ids) for an `ORION_MODIFIED`'s
 * task ids and O(records) for the shape check of an orion an event carries. An error of the
 * source propagates; its completion cancels the timer and completes the state stream.
 *
 * Consumers that may see states out of order (a synchronous re-entrant cascade through a
 * multicast) should keep the highest `version` they have seen: see {@link skipStaleStates}.
 *
 * ```text
 * events:  --c-------m-----c----------------|
 * output:  s-a-------b-----c---- 600s -d----|
 *
 * c: TASK_COMPLETED a   m: ORION_MODIFIED [a]
 * s: {}  a: {a} registered  b: {} completed  c: {a} registered  d: {} timed-out
 * ```
 *
 * @throws RangeError at call time when `modificationTimeout` is not a positive finite number.
 */
export function pendingModifications(
  options: PendingModificationsOptions = {},
): OperatorFunction<OrionEvent, PendingState> {
  const timeout = checkTimeout(
    options.modificationTimeout ?? DEFAULT_MODIFICATION_TIMEOUT,
    "modificationTimeout",
  );
  const scheduler = options.scheduler ?? asyncScheduler;
  const commands = options.commands ?? EMPTY;
  const registeredAt = options.registeredAt;
  const scope = options.scope;
  const onTimeout = options.onTimeout ?? "proceed";
  if (onTimeout !== "proceed" && onTimeout !== "hold") {
    throw new RangeError(
      `pendingModifications: onTimeout must be 'proceed' or 'hold', got ${String(onTimeout)}`,
    );
  }
  if (
    scope !== undefined &&
    scope !== "orion" &&
    scope !== "downstream" &&
    typeof scope !== "function"
  ) {
    throw new RangeError(
      `pendingModifications: scope must be 'orion', 'downstream' or a function, got ${String(scope)}`,
    );
  }
  const hold = onTimeout === "hold";
  return (source) =>
    defer(() => {
      const control = new Subject<Control>();
      const sourceDone = new Subject<void>();
      const deadlines = new DeadlineQueue<ExpiryCandidate>();
      let armed: Subscription | undefined;
      let armedAt = Number.NaN;
      // Only the newest state is kept here (and by scan): nothing holds an old one.
      let latest = options.initialState ?? initialPendingState(timeout, scheduler.now());

      const disarm = (): void => {
        armed?.unsubscribe();
        armed = undefined;
        armedAt = Number.NaN;
      };
      const fire = (): void => {
        armed = undefined;
        armedAt = Number.NaN;
        const due = deadlines.popDue(scheduler.now()).map((d) => d.key);
        control.next(new Control({ kind: "expire", due, hold }));
        // The due entries may all have been stale (answered): re-arm for the next live one.
        arm();
      };
      const isLive = ({ key, deadline }: { key: ExpiryCandidate; deadline: number }): boolean => {
        const record = latest.records.get(pendingKey(key.orionId, key.taskId));
        if (record?.phase !== key.kind) return false;
        // A task's younger modifications (a retry's) have deadlines of their own.
        return (
          record.deadline === deadline ||
          (record.phase === "pending" && record.later.some((e) => e.deadline === deadline))
        );
      };
      /** Queues the deadline a transition created. */
      const track = (state: PendingState): void => {
        const last = state.last;
        if (last.kind === "registered") {
          const { orionId, taskId, deadline } = last.entry;
          deadlines.push(deadline, { kind: "pending", orionId, taskId });
        } else if (last.kind === "completed") {
          for (const taskId of last.anticipated) {
            const record = state.records.get(pendingKey(last.orionId, taskId));
            if (record?.phase === "anticipated") {
              deadlines.push(record.deadline, {
                kind: "anticipated",
                orionId: last.orionId,
                taskId,
              });
            }
          }
        }
      };
      /** Keeps one timer armed at the earliest live deadline, and none when nothing is live. */
      const arm = (): void => {
        const live = latest.pending.size + latest.anticipatedCount;
        if (live === 0) {
          deadlines.clear();
          disarm();
          return;
        }
        if (deadlines.length > 2 * live + 64) deadlines.compact(isLive);
        const head = deadlines.peek();
        if (head === undefined || head === armedAt) return;
        disarm();
        armedAt = head;
        armed = scheduler.schedule(fire, Math.max(0, head - scheduler.now()));
      };
      const step = (state: PendingState | null, value: unknown): PendingState => {
        // The first input is always START: it makes scan emit the initial state.
        if (state === null || value === START) return latest;
        // Without `registeredAt` or `scope` (the default), no spread: spreads of empty parts
        // build two objects more per event.
        const input: PendingInput = isControl(value)
          ? value.input
          : registeredAt === undefined && scope === undefined
            ? { kind: "event", event: value }
            : {
                kind: "event",
                event: value,
                ...(registeredAt === undefined ? {} : { at: eventTime(registeredAt, value) }),
                ...(scope === undefined ? {} : { scope }),
              };
        const next = reducePending(state, input, scheduler.now());
        if (next !== state) {
          latest = next;
          if (next.last !== state.last) track(next);
          arm();
        }
        return next;
      };

      // A restored state's deadlines need timers like those its registrations would have armed.
      if (options.initialState !== undefined) {
        for (const record of latest.records.values()) {
          if (record.phase !== "pending" && record.phase !== "anticipated") continue;
          const { orionId, taskId } = record;
          deadlines.push(record.deadline, { kind: record.phase, orionId, taskId });
          if (record.phase === "pending") {
            for (const e of record.later)
              deadlines.push(e.deadline, { kind: "pending", orionId, taskId });
          }
        }
        arm();
      }

      return merge(
        // The first input makes scan emit the initial state, before any other input.
        merge(
          of(START),
          control,
          commands.pipe(map((command) => new Control(check(command)))),
        ).pipe(takeUntil(sourceDone)),
        source.pipe(tap({ complete: () => sourceDone.next() })),
      ).pipe(
        scan<unknown, PendingState, null>(step, null),
        // A new transition, not a new object: housekeeping-only states are not emitted.
        distinctUntilChanged((a, b) => a.last === b.last),
        finalize(() => {
          disarm();
          deadlines.clear();
        }),
      );
    });
}

const START = Symbol("start");

/** `registeredAt(value)` for a task completion or failure; `undefined` otherwise or if it throws. */
function eventTime(
  registeredAt: (event: TaskEvent) => number | undefined,
  value: unknown,
): number | undefined {
  try {
    const type = (value as { readonly type?: unknown } | null)?.type;
    if (type !== "TASK_COMPLETED" && type !== "TASK_FAILED") return undefined;
    return registeredAt(value as TaskEvent);
  } catch {
    return undefined;
  }
}

/** Whether `value` is a {@link Control}: `false` for a proxy whose prototype cannot be read. */
function isControl(value: unknown): value is Control {
  try {
    return value instanceof Control;
  } catch {
    return false;
  }
}

/** `command`, once a `set-timeout`'s value is checked. @throws RangeError for a bad timeout. */
function check(command: PendingCommand): PendingCommand {
  if (command.kind === "set-timeout") {
    checkTimeout(command.modificationTimeout, "modificationTimeout");
  }
  return command;
}

/**
 * Inputs from the operator itself (expiries) and its owner (commands), wrapped so that no
 * value on the event stream can pass for one, whatever its shape.
 */
class Control {
  constructor(readonly input: PendingInput) {}
}
