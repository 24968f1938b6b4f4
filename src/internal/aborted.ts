import { Observable } from "rxjs";

/** Errors with `signal`'s reason when it aborts (at once if it has): a racer for a wait. */
export function aborted(signal: AbortSignal): Observable<never> {
  return new Observable<never>((subscriber) => {
    const onAbort = (): void => subscriber.error(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    return () => signal.removeEventListener("abort", onAbort);
  });
}
