/**
 * A minimal in-process orion event bus, in the spec's shape: `bus.subscribe(synchronizer)`.
 *
 * Any `Observable<OrionEvent>` is a bus for the operators; this one adds the imperative
 * `publish` and observer-object subscription that code ported from the Python original
 * expects.
 */
import type { Observable, Subscription } from "rxjs";
import { Multicast } from "./internal/Multicast.js";
import type { OrionEvent } from "./events.js";

/** Anything with an `onEvent` method, like the Python original's `IEventObserver`. */
export interface OrionEventObserver {
  /** Receives one event, synchronously, in publication order. */
  onEvent(event: OrionEvent): void;
}

/** Options of {@link createEventBus}. */
export interface EventBusOptions {
  /**
   * Called when a subscriber throws from `onEvent`. The throw never reaches the publisher
   * or the other subscribers. Default: `console.error`.
   */
  readonly onSubscriberError?: (error: unknown, event: OrionEvent) => void;
}

/** What {@link createEventBus} returns. */
export interface EventBus {
  /** Every published event, to pipe through the operators. Hot: no replay. */
  readonly events$: Observable<OrionEvent>;
  /**
   * Delivers `event` to every subscriber, synchronously and in subscription order, and
   * returns when all have seen it: emit ready tasks after publishing the completion that
   * caused them, and the gate has already closed.
   */
  publish(event: OrionEvent): void;
  /** Calls `observer.onEvent` for each event until the subscription is unsubscribed. */
  subscribe(observer: OrionEventObserver): Subscription;
  /** Completes `events$`: folds over it complete and cancel their timers. */
  close(): void;
}

/**
 * Creates an in-process {@link EventBus} (a `Subject`, in effect: see `internal/Multicast.ts`).
 *
 * Delivery is synchronous, so an event published from inside `onEvent` reaches later
 * subscribers before the event being delivered does; the synchronizer's fold tolerates that
 * (an `ORION_MODIFIED` arriving before its `TASK_COMPLETED` is remembered). A trampolining
 * bus would keep a global order but return from `publish` before the synchronizer has seen
 * a completion, which would let a ready task through the gate: safety wins.
 */
export function createEventBus(options: EventBusOptions = {}): EventBus {
  const subject = new Multicast<OrionEvent>();
  const onSubscriberError =
    options.onSubscriberError ??
    ((error: unknown, event: OrionEvent) => {
      console.error(`orion-sync: an event bus subscriber threw on ${event.type}`, error);
    });
  return {
    events$: subject.observable,
    publish: (event) => subject.next(event),
    subscribe: (observer) =>
      subject.observable.subscribe((event) => {
        try {
          observer.onEvent(event);
        } catch (error) {
          onSubscriberError(error, event);
        }
      }),
    close: () => subject.complete(),
  };
}
