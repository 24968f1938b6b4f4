import {
  concatWith,
  defer,
  from,
  map,
  merge,
  mergeMap,
  Subject,
  takeUntil,
  finalize,
  type MonoTypeOperatorFunction,
  type Observable,
} from "rxjs";
import type { PendingState } from "../src/pending/PendingState.js";

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

function checkOptions<T>(
  options: GateReadyTasksOptions<T>,
): Required<Omit<GateReadyTasksOptions<T>, "onDrop">> {
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
  return { release, maxHeld, overflow };
}

/**
 * Holds the orchestrator's ready-task values back while any modification is pending, and
 * releases them the moment the pending set is empty: no polling, no timers.
 *
 * The gate subscribes to `state$` before the source, so a state emitted synchronously on
 * subscription (as the fold's initial state is) is known before the first value. It is
 * closed until the first state arrives, open while the newest state (by `version`) has
 * nothing pending. While open, values pass through unchanged and unbuffered. While closed,
 * they are held (`'latest'`: one; `'all'`: up to `maxHeld`, in order) and released in the
 * same turn as the state that opens the gate. A release stops at once if a released value
 * causes (synchronously) a new modification to be registered; the rest waits for the next
 * opening, and values arriving meanwhile queue behind it.
 *
 * Same frame: when a `TASK_COMPLETED` reaches the fold before the orchestrator emits the
 * ready tasks it caused (the orchestrator publishes, then computes ready tasks), those
 * ready tasks are held. The bus must deliver the event to the fold first: publish it
 * before emitting, or subscribe the synchronizer to the bus before the orchestrator.
 *
 * Completion: if the source completes while values are held, they are released when the
 * gate opens and then the output completes. Errors of the source or of `state$`
 * propagate at once (held values are dropped with the error). If `state$` completes while
 * the gate is open, values pass through from then on; if it completes while closed, the
 * output errors with {@link GateStateEndedError}, since nothing could ever open it.
 * Unsubscribing drops held values.
 *
 * ```text
 * state:  s---a-------s--b--s---     (s: nothing pending, a/b: something pending)
 * source: -1----2--3------4-----
 * output: -1----------3-----4---     (release: 'latest')
 * output: -1----------(23)--4---     (release: 'all')
 * ```
 *
 * @param state$ - the pending state stream, typically `events$.pipe(pendingModifications())`
 *   shared with `shareReplay({ bufferSize: 1, refCount: true })`, or a synchronizer's `state$`
 * @throws RangeError at call time for a bad `release`, `maxHeld` or `overflow`.
 */
export function gateReadyTasks<T>(
  state$: Observable<PendingState>,
  options: GateReadyTasksOptions<T> = {},
): MonoTypeOperatorFunction<T> {
  const { release, maxHeld, overflow } = checkOptions(options);
  const onDrop = options.onDrop;
  return (source) =>
    defer(() => {
      const held: T[] = [];
      const finished = new Subject<void>();
      let open = false;
      let seen = -1;
      let pending: number | undefined;
      let sourceEnded = false;
      const none: readonly T[] = [];

      function* drain(): Generator<T> {
        while (open && held.length > 0) yield held.shift() as T;
        if (sourceEnded && held.length === 0) finished.next();
      }
      const onState = (state: PendingState): Iterable<T> => {
        if (state.version <= seen) return none;
        seen = state.version;
        pending = state.pending.size;
        open = pending === 0;
        return open && held.length > 0 ? drain() : none;
      };
      const onStateEnd = (): Iterable<T> => {
        if (!open) throw new GateStateEndedError(held.length, pending);
        return none;
      };
      const onValue = (value: T): Iterable<T> => {
        if (open && held.length === 0) return [value];
        if (release === "latest") {
          held[0] = value;
        } else {
          if (held.length >= maxHeld) {
            if (overflow === "error") throw new GateOverflowError(maxHeld);
            onDrop?.(held.shift() as T);
          }
          held.push(value);
        }
        return none;
      };
      const onSourceEnd = (): Iterable<T> => {
        sourceEnded = true;
        return drain();
      };

      return merge(
        state$.pipe(map(onState), concatWith(defer(() => [onStateEnd()]))),
        source.pipe(map(onValue), concatWith(defer(() => [onSourceEnd()]))),
      ).pipe(
        mergeMap((values) => from(values)),
        takeUntil(finished),
        finalize(() => {
          held.length = 0;
        }),
      );
    });
}
