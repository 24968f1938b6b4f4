/**
 * Recipe: tuning the modification timeout. Start from the agent's usual latency, log every
 * timeout, and when an answer arrives after its modification timed out (a late answer:
 * the timeout was too short), double the timeout for new registrations, up to a ceiling.
 */
import { shareReplay, Subject, type Observable, type SchedulerLike } from "rxjs";
import {
  pendingModifications,
  skipStaleStates,
  type OrionEvent,
  type PendingCommand,
  type PendingState,
} from "../../src/index.js";

export function adaptiveTimeout(
  events$: Observable<OrionEvent>,
  options: { initial: number; ceiling: number; log: (line: string) => void },
  scheduler?: SchedulerLike,
): Observable<PendingState> {
  const commands = new Subject<PendingCommand>();
  const state$ = events$.pipe(
    pendingModifications({
      modificationTimeout: options.initial,
      commands, // clear and set-timeout, merged with the events
      ...(scheduler && { scheduler }),
    }),
    shareReplay({ bufferSize: 1, refCount: true }),
  );
  state$.pipe(skipStaleStates()).subscribe((state) => {
    const { last, modificationTimeout } = state;
    if (last.kind === "timed-out") {
      // The modification left the pending set: it no longer holds the gate.
      for (const { taskId, registeredAt, deadline } of last.entries) {
        options.log(
          `no edit for ${taskId} after ${deadline - registeredAt} ms: going on without it`,
        );
      }
    } else if (last.kind === "completed" && last.late.length > 0) {
      const next = Math.min(options.ceiling, modificationTimeout * 2);
      if (next > modificationTimeout) {
        options.log(`late answer for ${last.late.join(", ")}: timeout ${next} ms from now on`);
        commands.next({ kind: "set-timeout", modificationTimeout: next });
      }
    }
  });
  // The command above is sent while a state is being delivered, so the subscribers after
  // this one receive the newer state first: hand out a stream that drops the older one.
  return state$.pipe(skipStaleStates());
}
