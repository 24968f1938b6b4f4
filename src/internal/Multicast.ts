/**
 * Hot multicasts for the paths every event takes (the bus, the synchronizer's fold input and
 * state, the orchestrator's triggers, the scripted agent), with RxJS's `Subject` and
 * `BehaviorSubject` semantics for what this package uses, without their cost per value.
 *
 * Why not `Subject`: RxJS 7 publishes ES5 builds (what Node and bundlers load), in which
 * `Subject.next` wraps its loop in a closure and walks its observers with a downlevelled
 * `for...of`, an iterator object plus a result object per observer, on every value. An event
 * crosses five or six subjects, so that was about a fifth of what a synced task allocates
 * (17.0 against 13.9 KB per task at 10,000 tasks, with only that loop indexed).
 *
 * The semantics kept: delivery is synchronous, in subscription order; a subscriber added
 * while a value is delivered does not get that value; one that unsubscribes meanwhile gets
 * nothing more (RxJS's `Subscriber` is closed); after `error` or `complete`, nothing more is
 * delivered and a new subscriber gets the end at once. Not kept: the deprecated
 * `useDeprecatedSynchronousErrorHandling` mode. Subscribers are kept in a `Set` (O(1) to come
 * and go, so thousands of waiters cost no more than with `Subject`), and `next` walks an array
 * of them made again only after someone came or went: between changes it allocates nothing.
 * @module
 */
import { Observable, type Subscriber } from "rxjs";

/** How a multicast ended, once it has. */
type End = { readonly error: unknown } | "complete";

/** A hot multicast with `Subject`'s semantics (see the module comment). */
export class Multicast<T> {
  /** Every value from now on, to any number of subscribers. Hot: no replay. */
  readonly observable: Observable<T>;
  /** The subscribers, in subscription order: O(1) to add or remove, however many wait. */
  readonly #observers = new Set<Subscriber<T>>();
  /** Them as an array, for `next`: made again only after someone came or went. */
  #snapshot: readonly Subscriber<T>[] | undefined;
  #end: End | undefined;

  /** `onSubscribe` runs for each new subscriber, once it is registered (see `CurrentValue`). */
  constructor(onSubscribe?: (subscriber: Subscriber<T>) => void) {
    this.observable = new Observable<T>((subscriber) => {
      const end = this.#end;
      if (end !== undefined) {
        if (end === "complete") subscriber.complete();
        else subscriber.error(end.error);
        return;
      }
      this.#observers.add(subscriber);
      this.#snapshot = undefined;
      onSubscribe?.(subscriber);
      return () => {
        if (this.#observers.delete(subscriber)) this.#snapshot = undefined;
      };
    });
  }

  /** Whether anyone is subscribed (while it ends, anyone not yet ended). */
  get observed(): boolean {
    return this.#observers.size > 0;
  }

  /** Delivers `value` to every subscriber, synchronously; nothing after the end. */
  next(value: T): void {
    if (this.#end !== undefined) return;
    const observers = (this.#snapshot ??= Array.from(this.#observers));
    for (let i = 0; i < observers.length; i++) observers[i]!.next(value);
  }

  /** Ends every subscription with `error`, and any later one at once. */
  error(error: unknown): void {
    this.#finish({ error });
  }

  /** Completes every subscription, and any later one at once. */
  complete(): void {
    this.#finish("complete");
  }

  /** Ends each subscriber in turn, removing it first, as `Subject` does. */
  #finish(end: End): void {
    if (this.#end !== undefined) return;
    this.#end = end;
    this.#snapshot = undefined;
    for (const observer of Array.from(this.#observers)) {
      this.#observers.delete(observer);
      if (end === "complete") observer.complete();
      else observer.error(end.error);
    }
  }

  /** The error it ended with, thrown; nothing if it has not failed. */
  protected throwIfFailed(): void {
    const end = this.#end;
    if (end !== undefined && end !== "complete") throw end.error;
  }
}

/**
 * A {@link Multicast} with a current value, as `BehaviorSubject`: a new subscriber gets it
 * first (unless it has ended), and `value` reads it (throwing the error it failed with).
 */
export class CurrentValue<T> extends Multicast<T> {
  #value: T;

  constructor(initial: T) {
    super((subscriber) => subscriber.next(this.#value));
    this.#value = initial;
  }

  /** The latest value. @throws the error it failed with, if it did. */
  get value(): T {
    this.throwIfFailed();
    return this.#value;
  }

  /** Makes `value` current (even after the end, as `BehaviorSubject`), then delivers it. */
  override next(value: T): void {
    this.#value = value;
    super.next(value);
  }
}
