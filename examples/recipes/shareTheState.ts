/**
 * Recipe: one fold, many observers. The gate, a log and a metric all read the same shared
 * state stream, so every one of them sees the same pending set.
 */
import { shareReplay, tap, type Observable, type SchedulerLike } from "rxjs";
import {
  gateReadyTasks,
  pendingCount,
  pendingModifications,
  type OrionEvent,
  type PendingState,
} from "../../src/index.js";

export function shareTheState<T>(
  events$: Observable<OrionEvent>,
  ready$: Observable<T>,
  log: (line: string) => void,
  scheduler?: SchedulerLike,
): { state$: Observable<PendingState>; startable$: Observable<T>; pending$: Observable<number> } {
  const state$ = events$.pipe(
    pendingModifications({ modificationTimeout: 60_000, ...(scheduler && { scheduler }) }),
    // Before the share: one log line per state, however many subscribers there are.
    tap(({ last }) => {
      if (last.kind === "registered") log(`waiting for the agent after ${last.entry.taskId}`);
      if (last.kind === "timed-out") log(`gave up on ${last.entries.length} modification(s)`);
    }),
    // One fold for everyone, replaying the current state to each new subscriber.
    shareReplay({ bufferSize: 1, refCount: true }),
  );
  return {
    state$,
    // The gate: ready values wait while anything is pending.
    startable$: ready$.pipe(gateReadyTasks(state$)),
    // A metric: the pending count, when it changes (feed it to a gauge).
    pending$: state$.pipe(pendingCount()),
  };
}
