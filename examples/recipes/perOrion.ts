/**
 * Recipe: per-orion synchronization. One fold sees every orion's modifications, and its
 * gate holds while any orion has one pending. To let each orion's tasks wait only for
 * their own orion's edits, give each orion its own fold.
 */
import { filter, finalize, groupBy, map, mergeMap, shareReplay, takeWhile } from "rxjs";
import type { Observable, SchedulerLike } from "rxjs";
import {
  isOrionEnded,
  pendingCount,
  pendingModifications,
  type OrionEvent,
  type PendingState,
} from "../../src/index.js";

/** The state stream of one orion, made on first use; it completes when the orion ends. */
export function perOrionState(
  events$: Observable<OrionEvent>,
  scheduler?: SchedulerLike,
): (orionId: string) => Observable<PendingState> {
  const folds = new Map<string, Observable<PendingState>>();
  return (orionId) => {
    let state$ = folds.get(orionId);
    if (state$ === undefined) {
      state$ = events$.pipe(
        filter((event) => event.orionId === orionId),
        takeWhile((event) => !isOrionEnded(event), true),
        pendingModifications({ ...(scheduler && { scheduler }) }),
        finalize(() => folds.delete(orionId)),
        shareReplay({ bufferSize: 1, refCount: true }),
      );
      folds.set(orionId, state$);
    }
    return state$;
  };
}

/** For a dashboard: `[orionId, pending count]` for every orion on the bus, as it changes. */
export function pendingByOrion(
  events$: Observable<OrionEvent>,
  scheduler?: SchedulerLike,
): Observable<readonly [string, number]> {
  return events$.pipe(
    groupBy((event) => event.orionId, { duration: (group) => group.pipe(filter(isOrionEnded)) }),
    mergeMap((group) =>
      group.pipe(
        pendingModifications({ ...(scheduler && { scheduler }) }),
        pendingCount(),
        map((count) => [group.key, count] as const),
      ),
    ),
  );
}
