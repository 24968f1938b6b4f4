/**
 * Modification spans and metrics from a pending-state stream, driven by each state's
 * `last` transition and timed by its `at` (the fold's scheduler, so virtual time works).
 */
import { SpanStatusCode, type Attributes, type Span } from "@opentelemetry/api";
import type { Observable, Subscription } from "rxjs";
import type { OrionEvent } from "../src/events.js";
import type { PendingEntry, PendingState, PendingTransition } from "../src/pending/PendingState.js";
import type { OrionModificationSynchronizer } from "../src/synchronizer.js";
import { ANSWER_EVENT, ATTR } from "./names.js";
import { hrTime, telemetryOf, type OrionSyncTelemetry, type TelemetryInput } from "./telemetry.js";

/** How many skipped versions a tracker waits for (a re-entrant cascade delivers them late). */
const MAX_MISSING = 1024;

type Outcome = "completed" | "timed_out" | "cleared";

/** Follows one fold's states for one recorder. */
class StateTracker {
  private readonly id: number;
  private baseline = true;
  private maxVersion = -1;
  /** Versions above a processed one not seen yet: a re-entrant cascade delivers them late. */
  private readonly missing = new Set<number>();
  /** Seqs ended before their registration was seen (out of order): skip that registration. */
  private readonly endedEarly = new Set<number>();
  /** Pending modifications this tracker counted in the up-down counter, by key. */
  private readonly live = new Map<string, string>();
  private lastAt = 0;

  constructor(private readonly t: OrionSyncTelemetry) {
    this.id = t.nextTrackerId();
  }

  private key(seq: number): string {
    return `${this.id}:${seq}`;
  }

  observe(state: PendingState): void {
    const version = state.version;
    if (this.baseline) {
      // The state current when attached: what is already pending gets its span (from its
      // registration time); its transition happened before we looked, so it is not replayed.
      this.baseline = false;
      this.maxVersion = version;
      this.lastAt = state.last.at;
      for (const head of state.pending.values()) {
        for (const entry of [head, ...head.later]) this.register(entry, false);
      }
      return;
    }
    if (version > this.maxVersion) {
      for (let v = this.maxVersion + 1; v < version && this.missing.size < MAX_MISSING; v++) {
        this.missing.add(v);
      }
      this.maxVersion = version;
    } else if (!this.missing.delete(version)) {
      return; // a replay or housekeeping state: its transition was handled
    }
    this.lastAt = Math.max(this.lastAt, state.last.at);
    this.transition(state.last);
  }

  private attrs(orionId: string): Attributes {
    return { [ATTR.orionId]: orionId };
  }

  private register(entry: PendingEntry, count: boolean): Span {
    const key = this.key(entry.seq);
    const span = this.t.startModification(key, entry.orionId, entry.taskId, entry.registeredAt, {
      ...(entry.eventId === undefined ? {} : { [ATTR.eventId]: entry.eventId }),
      [ATTR.cause]: entry.cause,
      [ATTR.seq]: entry.seq,
    });
    if (count) this.t.instruments.registered.add(1, this.attrs(entry.orionId));
    this.t.instruments.pending.add(1, this.attrs(entry.orionId));
    this.live.set(key, entry.orionId);
    return span;
  }

  /** The live span of `entry`, or (seen out of order) one made now from its own times. */
  private take(entry: PendingEntry): Span {
    const key = this.key(entry.seq);
    const span = this.t.takeModification(key, entry.orionId);
    if (span !== undefined) return span;
    this.endedEarly.add(entry.seq);
    const made = this.register(entry, true);
    this.t.takeModification(key, entry.orionId);
    return made;
  }

  private end(entry: PendingEntry, span: Span, outcome: Outcome, at: number): void {
    span.setAttribute(ATTR.outcome, outcome);
    span.end(hrTime(at));
    const attrs = this.attrs(entry.orionId);
    if (this.live.delete(this.key(entry.seq))) this.t.instruments.pending.add(-1, attrs);
    this.t.instruments.duration.record((at - entry.registeredAt) / 1000, {
      ...attrs,
      [ATTR.outcome]: outcome,
    });
  }

  private settle(orionIds: Iterable<string>, at: number): void {
    for (const orionId of new Set(orionIds)) {
      if (!this.t.hasPending(orionId)) this.t.orionSettled(orionId, at);
    }
  }

  private transition(last: PendingTransition): void {
    const i = this.t.instruments;
    switch (last.kind) {
      case "registered":
        if (this.endedEarly.delete(last.entry.seq)) return;
        this.register(last.entry, true);
        return;
      case "completed": {
        const attrs = this.attrs(last.orionId);
        const early = last.trigger !== "ORION_MODIFIED";
        for (const entry of last.entries) {
          let span: Span;
          if (early) {
            // Answered before its task's end arrived: registered and completed at once.
            span = this.register(entry, true);
            this.t.takeModification(this.key(entry.seq), entry.orionId);
            span.setAttribute(ATTR.answeredEarly, true);
          } else {
            span = this.take(entry);
          }
          span.addEvent(
            ANSWER_EVENT,
            {
              [ATTR.answerTrigger]: last.trigger,
              // An early answer's transition carries the task event's id, not the answer's.
              ...(last.eventId === undefined || early
                ? {}
                : { [ATTR.answerEventId]: last.eventId }),
              [ATTR.orionUpdated]: last.orionUpdated,
            },
            hrTime(last.at),
          );
          this.end(entry, span, "completed", last.at);
        }
        if (last.entries.length > 0) i.completed.add(last.entries.length, attrs);
        if (last.duplicates.length > 0) i.duplicates.add(last.duplicates.length, attrs);
        if (last.late.length > 0) i.late.add(last.late.length, attrs);
        this.settle([last.orionId], last.at);
        return;
      }
      case "timed-out":
        for (const entry of last.entries) {
          const span = this.take(entry);
          span.setStatus({
            code: SpanStatusCode.ERROR,
            message: `timed out after ${entry.deadline - entry.registeredAt} ms`,
          });
          this.end(entry, span, "timed_out", last.at);
          i.timeouts.add(1, this.attrs(entry.orionId));
        }
        this.settle(
          last.entries.map((e) => e.orionId),
          last.at,
        );
        return;
      case "cleared": {
        const outcome: Outcome = last.countedAs === "cleared" ? "cleared" : "timed_out";
        for (const entry of last.entries) {
          const span = this.take(entry);
          if (last.waitTimeout !== undefined) span.setAttribute(ATTR.waitTimeout, last.waitTimeout);
          if (outcome === "timed_out") {
            span.setStatus({
              code: SpanStatusCode.ERROR,
              message: `cleared by a wait that timed out after ${last.waitTimeout ?? "?"} ms`,
            });
          }
          this.end(entry, span, outcome, last.at);
          (outcome === "cleared" ? i.clears : i.timeouts).add(1, this.attrs(entry.orionId));
        }
        this.settle(
          last.entries.map((e) => e.orionId),
          last.at,
        );
        return;
      }
      case "ignored":
        if (last.reason === "invalid") {
          // No orion attribute: the value is untrusted, its "orion id" may be anything.
          i.invalid.add(1);
        } else {
          const event = last.event as OrionEvent;
          // As the fold counts: a redelivered answer counts each id it names.
          const n =
            event.type === "ORION_MODIFIED"
              ? (event.onEventIds?.length ?? event.onTaskIds.length)
              : 1;
          i.duplicates.add(n, this.attrs(event.orionId));
        }
        return;
      default:
        return;
    }
  }

  /** Detached: live spans end (outcome `unobserved`), and the pending counter drops them. */
  detach(): void {
    for (const [key, orionId] of this.live) {
      const span = this.t.takeModification(key, orionId);
      span?.setAttribute(ATTR.outcome, "unobserved");
      span?.end(hrTime(this.lastAt));
      this.t.instruments.pending.add(-1, this.attrs(orionId));
    }
    this.live.clear();
  }
}

/**
 * Records a span per modification and the modification metrics from `state$` (the
 * `pendingModifications` fold's states, every one of them: do not filter it first), until
 * the returned subscription is unsubscribed. Share `telemetry` (an {@link OrionSyncTelemetry})
 * with `traceOrchestration` and `traceGate` so their spans link up.
 *
 * What is already pending when it attaches gets a span from its registration; counters
 * count from the attachment. Unsubscribing ends the spans still open (outcome
 * `unobserved`) and takes them off the pending counter.
 */
export function instrumentState(
  state$: Observable<PendingState>,
  telemetry?: TelemetryInput,
): Subscription {
  const tracker = new StateTracker(telemetryOf(telemetry));
  const subscription = state$.subscribe({
    next: (state) => tracker.observe(state),
    error: () => tracker.detach(),
    complete: () => tracker.detach(),
  });
  subscription.add(() => tracker.detach());
  return subscription;
}

/**
 * {@link instrumentState} on a synchronizer's `state$`: a span per modification and the
 * modification metrics, until the returned subscription is unsubscribed (or the
 * synchronizer disposed).
 *
 * @example
 * const telemetry = new OrionSyncTelemetry({ parentContext: (orionId) => contexts.get(orionId) });
 * const detach = instrumentSynchronizer(sync, telemetry);
 * // ...
 * detach.unsubscribe();
 */
export function instrumentSynchronizer(
  synchronizer: Pick<OrionModificationSynchronizer, "state$">,
  telemetry?: TelemetryInput,
): Subscription {
  return instrumentState(synchronizer.state$, telemetry);
}
