import {
  asyncScheduler,
  Observable,
  type MonoTypeOperatorFunction,
  type SchedulerLike,
  type Subscription,
} from "rxjs";
import { checkTimeout } from "../src/internal/durations.js";
import {
  hasSeenEvent,
  holdsTasks,
  pendingIn,
  touchedOrions,
  type PendingState,
} from "../src/pending/PendingState.js";

/** Options of {@link gateReadyTasks}. */
export interface GateReadyTasksOptions<T> {
  /**
   * What to release when the gate opens. `'latest'` (default): only the newest held value,
   * since an older ready list is stale. `'all'`: every held value, in order.
   */
  readonly release?: "latest" | "all";
  /** With `'all'`: how many values may be held at once. Default 10 000. */
  readonly maxHeld?: number;
  /**
   * With `'all'`: what happens to a value arriving when `maxHeld` are held. `'error'`
   * (default): the output errors with {@link GateOverflowError}. `'drop-oldest'`: the
   * oldest held value is dropped and passed to `onDrop`.
   */
  readonly overflow?: "error" | "drop-oldest";
  /** Called with each value `'drop-oldest'` drops, so it can be counted or logged. */
  readonly onDrop?: (dropped: T) => void;
  /**
   * Hold a value only for its own orion's pending modifications: an orion id, or a function
   * that reads it from each value. Default: any pending modification of any orion holds.
   */
  readonly orionId?: string | ((value: T) => string);
  /**
   * The ids of the events (of the value's orion) the value was computed after, e.g. the
   * completion that made its tasks ready. The value is held until the fold has seen them
   * *and* nothing of its orion is pending, so it cannot pass before the fold knows of the
   * completion, whichever of the two subscribed to the bus first. Needs `orionId`.
   */
  readonly after?: (value: T) => string | readonly string[] | undefined;
  /**
   * How long (ms) a value may wait for the fold to see an `after` event before the output
   * errors with {@link UnseenEventError}. Default 30 000.
   */
  readonly unseenTimeout?: number;
  /** Where the `unseenTimeout` timer runs. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  /**
   * The task ids a value would start. With it, only the value's orion's modifications whose
   * scope contains one of them hold it (scoped holds, see `pendingModifications`' `scope`);
   * without, any modification of its orion does. Needs `orionId`.
   */
  readonly tasks?: (value: T) => readonly string[];
}

/**
 * A value waited `unseenTimeout` ms at the gate for an event the fold never saw: the
 * synchronizer is not seeing the orchestrator's events (another bus, a fold that restarted,
 * or set up after the orchestrator published). Failing is the safe answer: passing would
 * start a task on an orion the agent may be editing.
 */
export class UnseenEventError extends Error {
  override readonly name = "UnseenEventError";
  /**
   * Made by the gate; exported so callers can test `instanceof`.
   * @param orionId - the value's orion
   * @param eventId - the event the fold has not seen
   * @param waitedMs - how long the value waited
   */
  constructor(
    readonly orionId: string,
    readonly eventId: string,
    readonly waitedMs: number,
  ) {
    super(
      `gateReadyTasks: a value computed after event '${eventId}' of orion '${orionId}' waited ${waitedMs} ms, and the pending-modifications fold has not seen that event: it does not receive the orchestrator's events (another bus, a restarted fold, or subscribed after the orchestrator published)`,
    );
  }
}

/** The gate held `maxHeld` values and another arrived, with `overflow: 'error'`. */
export class GateOverflowError extends Error {
  /** Always `"GateOverflowError"`. */
  override readonly name = "GateOverflowError";
  /**
   * Made by the gate; exported so callers can test `instanceof`.
   * @param maxHeld - the limit that was reached
   */
  constructor(readonly maxHeld: number) {
    super(`gateReadyTasks: more than ${maxHeld} values held while modifications are pending`);
  }
}

/**
 * The state stream completed while the gate was closed (or before it said anything), so
 * the held values could never be released safely.
 */
export class GateStateEndedError extends Error {
  /** Always `"GateStateEndedError"`. */
  override readonly name = "GateStateEndedError";
  /**
   * Made by the gate; exported so callers can test `instanceof`.
   * @param held - how many values were held
   * @param pending - how many modifications were pending in the last state (`undefined`: no state was seen)
   */
  constructor(
    readonly held: number,
    readonly pending: number | undefined,
  ) {
    super(
      pending === undefined
        ? `gateReadyTasks: the state stream completed without emitting a state (${held} value(s) held)`
        : `gateReadyTasks: the state stream completed with ${pending} modification(s) pending (${held} value(s) held)`,
    );
  }
}

function checkOptions<T>(options: GateReadyTasksOptions<T>): {
  readonly release: "latest" | "all";
  readonly maxHeld: number;
  readonly overflow: "error" | "drop-oldest";
  readonly unseenTimeout: number;
} {
  const release = options.release ?? "latest";
  if (release !== "latest" && release !== "all") {
    throw new RangeError(
      `gateReadyTasks: release must be 'latest' or 'all', got ${String(release)}`,
    );
  }
  const maxHeld = options.maxHeld ?? 10_000;
  if (!Number.isSafeInteger(maxHeld) || maxHeld < 1) {
    throw new RangeError(
      `gateReadyTasks: maxHeld must be a positive integer, got ${String(maxHeld)}`,
    );
  }
  const overflow = options.overflow ?? "error";
  if (overflow !== "error" && overflow !== "drop-oldest") {
    throw new RangeError(
      `gateReadyTasks: overflow must be 'error' or 'drop-oldest', got ${String(overflow)}`,
    );
  }
  if (options.after !== undefined && options.orionId === undefined) {
    throw new RangeError("gateReadyTasks: 'after' needs 'orionId' (event ids are per orion)");
  }
  if (options.tasks !== undefined && options.orionId === undefined) {
    throw new RangeError("gateReadyTasks: 'tasks' needs 'orionId' (scopes are per orion)");
  }
  const unseenTimeout = checkTimeout(options.unseenTimeout ?? 30_000, "unseenTimeout");
  return { release, maxHeld, overflow, unseenTimeout };
}

/** A held value, with what it waits for. */
interface Held<T> {
  readonly value: T;
  readonly orionId: string | undefined;
  /**
   * Its queue: the orion (values of one orion keep their order), or with `tasks` the orion
   * and those tasks (values for other tasks do not wait behind it).
   */
  readonly key: string | undefined;
  /** The tasks it would start, if the gate knows (`tasks`): scoped holds. */
  readonly tasks: readonly string[] | undefined;
  /**
   * The `after` ids the fold has not been seen to see yet. Once seen, an id is dropped for
   * good: the fold forgets ids after a while, and a value may wait longer than that.
   */
  after: readonly string[];
  /** When it was held (scheduler ms): what `unseenTimeout` counts from. */
  readonly since: number;
}

const noIds: readonly string[] = [];

/** `after`'s answer as a list. */
function idList(ids: string | readonly string[] | undefined): readonly string[] {
  return ids === undefined ? noIds : typeof ids === "string" ? [ids] : ids;
}

/**
 * Holds the orchestrator's ready-task values back while a modification is pending, and
 * releases them the moment it is answered: no polling.
 *
 * What holds a value: any pending modification (default), or with `orionId` only those of
 * the value's orion; with `after`, also any event it was computed after that the fold has
 * not seen yet. The rule is checked on the newest state (by `version`) when the value
 * arrives and again on every newer state, so the order in which the fold and the
 * orchestrator subscribed to the bus does not matter: a value computed after a completion
 * the fold has not heard of yet waits for it. If such an event is not seen within
 * `unseenTimeout`, the output errors with {@link UnseenEventError}: a mis-wired system
 * fails loudly instead of running stale.
 *
 * The gate subscribes to `state$` before the source, and is closed until the first state
 * arrives. A value that may pass passes at once, unbuffered. Held values (`'latest'`: the
 * newest per orion; `'all'`: up to `maxHeld` in all, in order per orion) are released in
 * the same turn as the state that frees them. A release stops at once if a released value
 * causes (synchronously) a new modification of its orion to be registered; the rest waits
 * for the next opening, and values arriving meanwhile queue behind it.
 *
 * Completion: if the source completes while values are held, they are released when they
 * may pass and then the output completes. Errors of the source or of `state$` propagate at
 * once (held values are dropped with the error). If `state$` completes while values are
 * held, or while the gate is closed for every value (no `orionId`, something pending), the
 * output errors with {@link GateStateEndedError}, since nothing could ever release them;
 * otherwise values that may pass still pass, and one that would be held errors so.
 * Unsubscribing drops held values.
 *
 * ```text
 * state:  s---a-------s--b--s---     (s: nothing pending, a/b: something pending)
 * source: -1----2--3------4-----
 * output: -1----------3-----4---     (release: 'latest')
 * output: -1----------(23)--4---     (release: 'all')
 * ```
 *
 * @param state$ - the pending state stream, typically `events$.pipe(pendingModifications(),
 *   shareState())`, or a synchronizer's `state$`
 * @throws RangeError at call time for a bad `release`, `maxHeld`, `overflow` or
 *   `unseenTimeout`, or `after` without `orionId`.
 */
export function gateReadyTasks<T>(
  state$: Observable<PendingState>,
  options: GateReadyTasksOptions<T> = {},
): MonoTypeOperatorFunction<T> {
  const { release, maxHeld, overflow, unseenTimeout } = checkOptions(options);
  const { onDrop, after, tasks } = options;
  const scheduler = options.scheduler ?? asyncScheduler;
  const orionOption = options.orionId;
  const orionOf: (value: T) => string | undefined =
    typeof orionOption === "function" ? orionOption : () => orionOption;
  return (source) =>
    new Observable<T>((subscriber) => {
      /** Held values by orion (`undefined`: the whole-bus gate), each list in arrival order. */
      const held = new Map<string | undefined, Held<T>[]>();
      /** With `tasks`: the queue keys of each orion, so a transition drains only its orion's. */
      const keysOf = new Map<string, Set<string>>();
      /** The orion of each `tasks` queue key. */
      const orionOfKey = new Map<string, string>();
      /** Drops the queue `key`, and its entry in `keysOf`. */
      const forget = (key: string | undefined): void => {
        held.delete(key);
        const orionId = key === undefined ? undefined : orionOfKey.get(key);
        if (orionId === undefined) return;
        orionOfKey.delete(key as string);
        const keys = keysOf.get(orionId);
        keys?.delete(key as string);
        if (keys?.size === 0) keysOf.delete(orionId);
      };
      let heldCount = 0;
      let state: PendingState | undefined;
      let stateEnded = false;
      let sourceEnded = false;
      let done = false;
      let timer: Subscription | undefined;
      /**
       * Held values with `after` ids not yet seen: refreshed on every newer state, wherever
       * they stand in their queue, since the fold forgets an id after a while.
       */
      const awaiting = new Set<Held<T>>();

      /** Drops from `item.after` the ids the newest state has seen. */
      const refresh = (item: Held<T>): void => {
        const seenBy = state;
        if (item.after.length === 0 || seenBy === undefined) return;
        item.after = item.after.filter((id) => !hasSeenEvent(seenBy, item.orionId as string, id));
        if (item.after.length === 0) awaiting.delete(item);
      };
      /** Whether `item` may pass on the newest state. */
      const mayPass = (item: Held<T>): boolean => {
        if (state === undefined) return false;
        refresh(item);
        if (item.after.length > 0) return false;
        return item.tasks === undefined
          ? pendingIn(state, item.orionId) === 0
          : !holdsTasks(state, item.orionId as string, item.tasks);
      };
      /** The first `after` id of `item` the fold has not been seen to see, if any. */
      const unseen = (item: Held<T>): string | undefined => {
        refresh(item);
        return item.after[0];
      };
      const fail = (error: unknown): void => {
        if (done) return;
        done = true;
        cleanup();
        subscriber.error(error);
      };
      const cleanup = (): void => {
        held.clear();
        keysOf.clear();
        orionOfKey.clear();
        awaiting.clear();
        heldCount = 0;
        timer?.unsubscribe();
        timer = undefined;
      };
      const completeIfDone = (): void => {
        if (!done && sourceEnded && heldCount === 0) {
          done = true;
          cleanup();
          subscriber.complete();
        }
      };
      /** Releases what one orion's queue may release, head first, re-checking after each. */
      const drainQueue = (key: string | undefined): void => {
        const queue = held.get(key);
        if (queue === undefined) return;
        while (!done && queue.length > 0 && mayPass(queue[0] as Held<T>)) {
          const item = queue.shift() as Held<T>;
          heldCount--;
          subscriber.next(item.value);
        }
        // A release may have re-entered, emptied and replaced this queue: drop only our own.
        if (queue.length === 0 && held.get(key) === queue) forget(key);
      };
      /**
       * Releases what may pass: from the queues of `orions` (the orions a transition touched),
       * or from every queue (`undefined`: a state that may have skipped transitions).
       */
      const drain = (orions?: Iterable<string>): void => {
        if (orions === undefined) {
          for (const key of Array.from(held.keys())) drainQueue(key);
        } else {
          drainQueue(undefined);
          for (const orionId of orions) {
            drainQueue(orionId);
            const keys = keysOf.get(orionId);
            if (keys !== undefined) for (const key of Array.from(keys)) drainQueue(key);
          }
        }
        if (heldCount === 0) {
          timer?.unsubscribe();
          timer = undefined;
        }
        completeIfDone();
      };
      /** Keeps one timer armed for the oldest held value still waiting on an unseen event. */
      const armUnseen = (): void => {
        if (timer !== undefined || done) return;
        let oldest: Held<T> | undefined;
        for (const item of awaiting) {
          if (oldest === undefined || item.since < oldest.since) oldest = item;
        }
        if (oldest === undefined) return;
        const delay = Math.max(0, oldest.since + unseenTimeout - scheduler.now());
        timer = scheduler.schedule(() => {
          timer = undefined;
          for (const item of Array.from(awaiting)) {
            const id = unseen(item);
            if (id !== undefined && scheduler.now() - item.since >= unseenTimeout) {
              fail(new UnseenEventError(item.orionId as string, id, scheduler.now() - item.since));
              return;
            }
          }
          armUnseen();
        }, delay);
      };
      const hold = (item: Held<T>): void => {
        if (stateEnded) {
          fail(
            new GateStateEndedError(
              heldCount + 1,
              state === undefined ? undefined : pendingIn(state),
            ),
          );
          return;
        }
        if (release === "all" && heldCount >= maxHeld) {
          if (overflow === "error") {
            fail(new GateOverflowError(maxHeld));
            return;
          }
          dropOldest();
        }
        // A queue may be empty but still listed while a drain is releasing from it.
        const queue = held.get(item.key);
        if (queue === undefined) {
          held.set(item.key, [item]);
          if (item.key !== item.orionId && item.orionId !== undefined) {
            const keys = keysOf.get(item.orionId);
            if (keys === undefined) keysOf.set(item.orionId, new Set([item.key as string]));
            else keys.add(item.key as string);
            orionOfKey.set(item.key as string, item.orionId);
          }
        } else if (release === "latest" && queue.length > 0) {
          awaiting.delete(queue[queue.length - 1] as Held<T>);
          queue[queue.length - 1] = item;
          heldCount--;
        } else queue.push(item);
        heldCount++;
        if (unseen(item) !== undefined) {
          awaiting.add(item);
          armUnseen();
        }
      };
      /** Drops the oldest held value (of any orion) for `'drop-oldest'`. */
      const dropOldest = (): void => {
        let oldestKey: string | undefined;
        let oldest: Held<T> | undefined;
        for (const [key, queue] of held) {
          const head = queue[0];
          if (head !== undefined && (oldest === undefined || head.since < oldest.since)) {
            oldest = head;
            oldestKey = key;
          }
        }
        if (oldest === undefined) return;
        const queue = held.get(oldestKey) as Held<T>[];
        queue.shift();
        awaiting.delete(oldest);
        if (queue.length === 0) forget(oldestKey);
        heldCount--;
        onDrop?.(oldest.value);
      };

      const stateSubscription = state$.subscribe({
        next: (next) => {
          if (done || (state !== undefined && next.version <= state.version)) return;
          // A gap in versions (a routed stream, or a newer state overtaking an older one)
          // may hide transitions: then every queue is looked at, else only those touched.
          const contiguous = state !== undefined && next.version === state.version + 1;
          state = next;
          if (heldCount === 0) return;
          for (const item of Array.from(awaiting)) refresh(item);
          drain(contiguous ? touchedOrions(next.last) : undefined);
        },
        error: fail,
        complete: () => {
          stateEnded = true;
          if (done) return;
          const closed = state === undefined || (orionOption === undefined && pendingIn(state) > 0);
          if (heldCount > 0 || closed) {
            fail(
              new GateStateEndedError(
                heldCount,
                state === undefined ? undefined : pendingIn(state),
              ),
            );
          }
        },
      });
      const sourceSubscription = source.subscribe({
        next: (value) => {
          if (done) return;
          let item: Held<T>;
          try {
            const orionId = orionOf(value);
            const taskIds = tasks === undefined ? undefined : [...tasks(value)];
            item = {
              value,
              orionId,
              // Length-prefixed, so distinct orions and task lists never share a key.
              key:
                taskIds === undefined
                  ? orionId
                  : `${String(orionId).length}:${orionId}:${JSON.stringify(taskIds)}`,
              tasks: taskIds,
              after: after === undefined ? noIds : idList(after(value)),
              since: scheduler.now(),
            };
          } catch (error) {
            fail(error);
            return;
          }
          // Order within an orion: nothing overtakes what its orion holds.
          if ((held.get(item.key)?.length ?? 0) === 0 && mayPass(item)) {
            subscriber.next(item.value);
          } else hold(item);
        },
        error: fail,
        complete: () => {
          sourceEnded = true;
          completeIfDone();
        },
      });
      return () => {
        done = true;
        cleanup();
        sourceSubscription.unsubscribe();
        stateSubscription.unsubscribe();
      };
    });
}
