/**
 * Recipe: the gate and another condition. Ready tasks also wait while the pipeline is
 * paused, and a status line combines both conditions.
 */
import { combineLatest, concatMap, first, map, type Observable } from "rxjs";
import { gateReadyTasks, pendingCount, type PendingState } from "../../src/index.js";

export function withPause<T>(
  ready$: Observable<T>,
  state$: Observable<PendingState>,
  paused$: Observable<boolean>, // replays its current value, like a BehaviorSubject
): { startable$: Observable<T>; status$: Observable<string> } {
  return {
    startable$: ready$.pipe(
      // Each ready value waits until the pipeline is not paused...
      concatMap((value) =>
        paused$.pipe(
          first((paused) => !paused),
          map(() => value),
        ),
      ),
      // ...then at the gate, last, right before the executor: what passes is current.
      gateReadyTasks(state$),
    ),
    status$: combineLatest([state$.pipe(pendingCount()), paused$]).pipe(
      map(([pending, paused]) =>
        paused ? "paused" : pending > 0 ? `holding for ${pending} edit(s)` : "running",
      ),
    ),
  };
}
