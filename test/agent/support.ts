/** Helpers of the scripted agent's tests: edits that leave a trace, and a recording bus. */
import type { Observable, SchedulerAction, SchedulerLike, Subscription } from "rxjs";
import type { AgentEdit } from "../../src/agent/index.js";
import type { OrionEvent } from "../../src/events.js";
import type { TaskOrion } from "../../src/orion/types.js";

/** The orion's `metadata.notes`: which edits produced it, in order ("" for none). */
export const notesOf = (o: TaskOrion | undefined): string | undefined =>
  o === undefined ? undefined : String(o.metadata?.["notes"] ?? "");

/** `o` with `note` appended to its `metadata.notes`. */
export const noted = (o: TaskOrion, note: string): TaskOrion => {
  const notes = notesOf(o);
  return { ...o, metadata: { notes: notes ? `${notes},${note}` : note } };
};

/** An edit that notes each task id, recording what it received as `[taskId, notes]`. */
export function notingEdit(): { edit: AgentEdit; seen: [string, string | undefined][] } {
  const seen: [string, string | undefined][] = [];
  const edit: AgentEdit = (event, o) => {
    seen.push([event.taskId, notesOf(o)]);
    return o === undefined ? undefined : noted(o, event.taskId);
  };
  return { edit, seen };
}

/** A `{ events$, publish }` bus over `events$` that records each publish with its frame. */
export function stubBus(events$: Observable<OrionEvent>, scheduler: SchedulerLike) {
  const published: { frame: number; event: OrionEvent }[] = [];
  const bus = {
    events$,
    publish: (event: OrionEvent) => {
      published.push({ frame: scheduler.now(), event });
    },
  };
  return { bus, published };
}

/** Counts actions scheduled that neither ran nor were unsubscribed. */
export function pendingTracker(inner: SchedulerLike): SchedulerLike & { live(): number } {
  const live = new Map<Subscription, { ran: boolean }>();
  return {
    now: () => inner.now(),
    live: () => [...live].filter(([s, st]) => !st.ran && !s.closed).length,
    schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay?: number, state?: T) {
      const st = { ran: false };
      const sub = inner.schedule(
        function (this: SchedulerAction<T>, s?: T) {
          st.ran = true;
          work.call(this, s);
        },
        delay,
        state,
      );
      live.set(sub, st);
      return sub;
    },
  };
}
