/** Counting the live subscriptions to an observable, for leak and fan-out tests. */
import type { Observable, Subscription } from "rxjs";

/**
 * Counts the live subscriptions to `observable` itself, whoever makes them (operators piped
 * from it subscribe to it), by wrapping its `subscribe` method: +1 per call, -1 when that
 * subscription is torn down (at once if it already is). Returns the live count.
 *
 * Wrap before anything subscribes: earlier subscriptions are not counted.
 */
export function countSubscriptions<T>(observable: Observable<T>): () => number {
  let live = 0;
  const subscribe = observable.subscribe.bind(observable) as (
    ...args: Parameters<Observable<T>["subscribe"]>
  ) => Subscription;
  observable.subscribe = ((...args: Parameters<Observable<T>["subscribe"]>) => {
    live++;
    const subscription = subscribe(...args);
    subscription.add(() => live--);
    return subscription;
  }) as Observable<T>["subscribe"];
  return () => live;
}
