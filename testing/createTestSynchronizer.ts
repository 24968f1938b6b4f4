import {
  distinctUntilChanged,
  map,
  type Observable,
  type SchedulerLike,
  type Subscription,
} from "rxjs";
import { skipStaleStates } from "../operators/skipStaleStates.js";
import { createEventBus, type EventBus } from "../src/bus.js";
import type { OrionEvent } from "../src/events.js";
import type { PendingState } from "../src/pending/PendingState.js";
import type { MergeOptions } from "../src/orion/mergeOrionStates.js";
import { OrionModificationSynchronizer, type SynchronizerLogger } from "../src/synchronizer.js";
import { pendingIds } from "./pendingIds.js";

/** Options of {@link createTestSynchronizer}: the synchronizer's own, and a feed of events. */
export interface TestSynchronizerOptions {
  /** How long a modification may stay pending, in ms of the test scheduler. Default 600 000. */
  readonly modificationTimeout?: number;
  /** Where the synchronizer logs (and a failing `events$`). Default: silent. */
  readonly logger?: SynchronizerLogger;
  /** Options of the synchronizer's `mergeAndSyncOrionStates`. */
  readonly merge?: MergeOptions;
  /**
   * Events to publish on the test bus as they arrive, e.g. a hot marble observable.
   * Subscribed at once, after the synchronizer; an error of it (logged with `logger`, if
   * any) or its completion ends only this feed.
   */
  readonly events$?: Observable<OrionEvent>;
}

/** What {@link createTestSynchronizer} returns. */
export interface TestSynchronizer {
  /** The synchronizer, on the test scheduler, subscribed to {@link TestSynchronizer.bus}. */
  readonly synchronizer: OrionModificationSynchronizer;
  /** A synchronous in-process bus the synchronizer listens to: give it to a test agent. */
  readonly bus: EventBus;
  /** The scheduler the synchronizer's timeouts and waits run on. */
  readonly scheduler: SchedulerLike;
  /** Publishes each event on {@link TestSynchronizer.bus}, in order. */
  publish(...events: readonly OrionEvent[]): void;
  /** The pending task ids now, as {@link pendingIds} writes them (`"a,b"`, `""`). */
  pendingIds(): string;
  /**
   * The pending task ids as they change, as {@link pendingIds} writes them, starting with
   * the current ones; completes on {@link TestSynchronizer.dispose}. For
   * `expectObservable(...).toBe("e--a--e", { e: "", a: "a" })`.
   */
  readonly pendingIds$: Observable<string>;
  /** Every state the synchronizer went through since it was created, oldest first. */
  readonly states: readonly PendingState[];
  /** Disposes of the synchronizer, stops the `events$` feed and closes the bus. */
  dispose(): void;
}

/**
 * An {@link OrionModificationSynchronizer} on a virtual-time scheduler, with a bus and the
 * accessors a test wants. Pass the scheduler explicitly: `m.scheduler` under rxjs-marbles,
 * the `TestScheduler` itself under `TestScheduler.run` (where it also virtualises
 * `asyncScheduler`), {@link virtualTime}'s for tests with promises, or any other
 * `SchedulerLike`. Create it inside the marble test body, so the synchronizer's clock starts
 * at the test's frame 0.
 *
 * @example
 * testScheduler.run(({ hot, expectObservable }) => {
 *   const events$ = hot("-c---m-", eventValues({ c: taskCompleted("a"), m: orionModified(["a"]) }));
 *   const sync = createTestSynchronizer(testScheduler, { events$ });
 *   expectObservable(sync.pendingIds$).toBe("eb---e-", { e: "", b: "a" });
 * });
 */
export function createTestSynchronizer(
  scheduler: SchedulerLike,
  options: TestSynchronizerOptions = {},
): TestSynchronizer {
  const { events$, ...synchronizerOptions } = options;
  const synchronizer = new OrionModificationSynchronizer({ ...synchronizerOptions, scheduler });
  const bus = createEventBus();
  synchronizer.connect(bus.events$);
  const states: PendingState[] = [];
  const recording = synchronizer.state$.pipe(skipStaleStates()).subscribe({
    next: (state) => states.push(state),
    // A failed fold errors `state$` for its own subscribers (and is logged): not here too.
    error: () => undefined,
  });
  const feed: Subscription | undefined = events$?.subscribe({
    next: (event) => bus.publish(event),
    error: (error: unknown) =>
      options.logger?.error("createTestSynchronizer: events$ failed", error),
  });
  const current = (): string => {
    const last = states.at(-1);
    return last === undefined ? "" : pendingIds(last);
  };
  return {
    synchronizer,
    bus,
    scheduler,
    publish: (...events) => {
      for (const event of events) bus.publish(event);
    },
    pendingIds: () => current(),
    pendingIds$: synchronizer.state$.pipe(
      skipStaleStates(),
      map(pendingIds),
      distinctUntilChanged(),
    ),
    states,
    dispose: () => {
      feed?.unsubscribe();
      recording.unsubscribe();
      synchronizer.dispose();
      bus.close();
    },
  };
}
