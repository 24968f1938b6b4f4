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
 * `useDeprecatedSynchronousErrorHandling` mode. The observer list is an array replaced when
 * someone subscribes or unsubscribes (O(subscribers), rare), so `next` allocates nothing.
 * @module
 */
import { Observable, type Subscriber } from "rxjs";

const none: readonly never[] = Object.freeze([]);

/** How a multicast ended, once it has. */
type End = { readonly error: unknown } | "complete";

/** A hot multicast with `Subject`'s semantics (see the module comment). */
export class Multicast<T> {
  /** Every value from now on, to any number of subscribers. Hot: no replay. */
  readonly observable: Observable<T>;
  #observers: readonly Subscriber<T>[] = none;
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
      this.#observers = [...this.#observers, subscriber];
      onSubscribe?.(subscriber);
      return () => {
        this.#observers = this.#observers.filter((o) => o !== subscriber);
      };
    });
  }

  /** Whether anyone is subscribed. */
  get observed(): boolean {
    return this.#observers.length > 0;
  }

  /** Delivers `value` to every subscriber, synchronously; nothing after the end. */
  next(value: T): void {
    if (this.#end !== undefined) return;
    const observers = this.#observers;
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

  #finish(end: End): void {
    if (this.#end !== undefined) return;
    this.#end = end;
    const observers = this.#observers;
    this.#observers = none;
    for (let i = 0; i < observers.length; i++) {
      if (end === "complete") observers[i]!.complete();
      else observers[i]!.error(end.error);
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
