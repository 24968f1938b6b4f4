/**
 * The shared recorder behind every `orion-sync/otel` attachment: the tracer and meter, the
 * instruments, and what it knows per orion (its live modification spans, its open gate
 * holds, its orchestration run), so that spans from the state stream, a gate and the
 * orchestrator link up in one trace.
 */
import {
  metrics,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Counter,
  type Histogram,
  type HrTime,
  type Link,
  type Meter,
  type Span,
  type SpanContext,
  type Tracer,
  type UpDownCounter,
} from "@opentelemetry/api";
import { asyncScheduler, type SchedulerLike } from "rxjs";
import { ATTR, INSTRUMENTATION_SCOPE, METRIC_NAMES, SPAN_NAMES } from "./names.js";

/** Options of {@link OrionSyncTelemetry}. */
export interface OrionSyncTelemetryOptions {
  /** Where spans go. Default: the global tracer provider's `orion-sync` tracer. */
  readonly tracer?: Tracer;
  /** Where metrics go. Default: the global meter provider's `orion-sync` meter. */
  readonly meter?: Meter;
  /**
   * The parent of an orion's top-level spans (its orchestration run, or, without one, its
   * modifications and holds): return the context of your own span for that orion and the
   * whole orion run is one trace. `undefined`: a root span. Never the ambient context: a
   * modification registers on whatever call delivered the event, which is not its parent.
   */
  readonly parentContext?: (orionId: string) => Context | undefined;
  /**
   * The clock of what carries no timestamp of its own (a value entering a traced gate), in
   * ms. Give the scheduler your synchronizer runs on. Default `asyncScheduler`. States and
   * progress events carry their own `at`, on the fold's or orchestration's scheduler.
   */
  readonly scheduler?: SchedulerLike;
}

/**
 * Virtual-time ms → HrTime. A plain number would not do: the SDK reads a number below
 * `performance.now()` as a time since the process started, not since the epoch.
 */
export function hrTime(ms: number): HrTime {
  const seconds = Math.floor(ms / 1000);
  return [seconds, Math.round((ms - seconds * 1000) * 1e6)];
}

/** An open hold of a gate. */
interface Hold {
  readonly start: number;
  values: number;
  /** The modifications it waited for, by key. */
  readonly waited: Map<string, SpanContext>;
}

/** An orchestration run being traced. */
interface Run {
  readonly span: Span;
  readonly context: Context;
  /** Open task spans, by task id. */
  readonly tasks: Map<string, Span>;
  /** When each task became ready, with the orion's total held time then. */
  readonly ready: Map<string, number>;
  /** Whether holds of the orchestrator's gate are derived for this run. */
  readonly gated: boolean;
}

/** What the recorder knows of one orion. */
interface OrionTrack {
  /** Live modification spans, by `<tracker>:<seq>`. */
  readonly pending: Map<string, Span>;
  /** The orchestrator's gate hold, derived from its progress and this orion's pending set. */
  hold: Hold | undefined;
  /** Total ms the orchestrator's gate held this orion, closed holds only. */
  heldTotal: number;
  /** The last closed orchestrator hold: when it ended, how long, its span. */
  lastHold: { readonly end: number; readonly ms: number; readonly span: SpanContext } | undefined;
  run: Run | undefined;
}

/**
 * One telemetry recorder: attach it to a synchronizer, operator state streams, gates and
 * orchestrations (see `instrumentSynchronizer`, `instrumentState`, `traceGate`,
 * `traceOrchestration`), sharing it so that their spans link up. Nothing is recorded until
 * something is attached; detaching stops it.
 */
export class OrionSyncTelemetry {
  /** The tracer spans are made with. */
  readonly tracer: Tracer;
  /** The meter instruments are made with. */
  readonly meter: Meter;
  /** The clock of values that carry no timestamp (traced gates), in ms. */
  readonly scheduler: SchedulerLike;
  private readonly parentOf: ((orionId: string) => Context | undefined) | undefined;
  private readonly orions = new Map<string, OrionTrack>();
  /** Open holds of traced gates, by orion (`undefined`: a gate of every orion). */
  private readonly gateHolds = new Map<string | undefined, Set<Hold>>();
  private trackers = 0;
  /** @internal */
  readonly instruments: {
    readonly pending: UpDownCounter;
    readonly registered: Counter;
    readonly completed: Counter;
    readonly timeouts: Counter;
    readonly clears: Counter;
    readonly duration: Histogram;
    readonly holdDuration: Histogram;
    readonly late: Counter;
    readonly duplicates: Counter;
    readonly invalid: Counter;
  };

  /** A recorder on the given (or global) tracer and meter. */
  constructor(options: OrionSyncTelemetryOptions = {}) {
    this.tracer = options.tracer ?? trace.getTracer(INSTRUMENTATION_SCOPE);
    this.meter = options.meter ?? metrics.getMeter(INSTRUMENTATION_SCOPE);
    this.scheduler = options.scheduler ?? asyncScheduler;
    this.parentOf = options.parentContext;
    const m = this.meter;
    const n = METRIC_NAMES;
    this.instruments = {
      pending: m.createUpDownCounter(n.pending, {
        description: "Modifications the agent owes",
        unit: "{modification}",
      }),
      registered: m.createCounter(n.registered, {
        description: "Modifications registered",
        unit: "{modification}",
      }),
      completed: m.createCounter(n.completed, {
        description: "Modifications the agent answered",
        unit: "{modification}",
      }),
      timeouts: m.createCounter(n.timeouts, {
        description: "Modifications that timed out",
        unit: "{modification}",
      }),
      clears: m.createCounter(n.clears, {
        description: "Modifications removed by a clear",
        unit: "{modification}",
      }),
      duration: m.createHistogram(n.duration, {
        description: "Time from a modification's registration to its answer, timeout or clear",
        unit: "s",
      }),
      holdDuration: m.createHistogram(n.holdDuration, {
        description: "Time a gate held ready values",
        unit: "s",
      }),
      late: m.createCounter(n.late, {
        description: "Answers naming a modification that had timed out or been cleared",
        unit: "{modification}",
      }),
      duplicates: m.createCounter(n.duplicates, {
        description: "Events recognised as duplicates",
        unit: "{event}",
      }),
      invalid: m.createCounter(n.invalid, {
        description: "Values on the event stream that are not valid orion events",
        unit: "{event}",
      }),
    };
  }

  /** @internal A fresh id for a state tracker: seqs are unique per fold, not across folds. */
  nextTrackerId(): number {
    return ++this.trackers;
  }

  /** @internal */
  track(orionId: string): OrionTrack {
    let track = this.orions.get(orionId);
    if (track === undefined) {
      track = {
        pending: new Map(),
        hold: undefined,
        heldTotal: 0,
        lastHold: undefined,
        run: undefined,
      };
      this.orions.set(orionId, track);
    }
    return track;
  }

  /** Drops an orion's track once nothing refers to it. */
  private release(orionId: string, track: OrionTrack): void {
    if (track.pending.size === 0 && track.hold === undefined && track.run === undefined) {
      this.orions.delete(orionId);
    }
  }

  /**
   * @internal The parent of an orion's modification and hold spans: its traced
   * orchestration run, else the caller's context for the orion, else none (a root span).
   */
  parentFor(orionId: string | undefined): Context {
    if (orionId === undefined) return ROOT_CONTEXT;
    return this.orions.get(orionId)?.run?.context ?? this.callerParent(orionId);
  }

  private callerParent(orionId: string): Context {
    return this.parentOf?.(orionId) ?? ROOT_CONTEXT;
  }

  /** @internal Starts a modification span and remembers it as pending. */
  startModification(
    key: string,
    orionId: string,
    taskId: string,
    start: number,
    attributes: Attributes,
  ): Span {
    const track = this.track(orionId);
    // The task run whose end registered it, if the orchestration is traced: a link, since
    // the modification outlives the task and belongs to the agent's work, not the task's.
    const task = track.run?.tasks.get(taskId);
    const links: Link[] = task === undefined ? [] : [{ context: task.spanContext() }];
    const span = this.tracer.startSpan(
      SPAN_NAMES.modification,
      {
        kind: SpanKind.INTERNAL,
        startTime: hrTime(start),
        attributes: { [ATTR.orionId]: orionId, [ATTR.taskId]: taskId, ...attributes },
        links,
      },
      this.parentFor(orionId),
    );
    track.pending.set(key, span);
    // Holds open now wait for it too.
    track.hold?.waited.set(key, span.spanContext());
    for (const holds of [this.gateHolds.get(orionId), this.gateHolds.get(undefined)]) {
      for (const hold of holds ?? []) hold.waited.set(`${orionId}/${key}`, span.spanContext());
    }
    return span;
  }

  /** @internal The live span of a pending modification, forgotten from the pending set. */
  takeModification(key: string, orionId: string): Span | undefined {
    const track = this.orions.get(orionId);
    const span = track?.pending.get(key);
    if (track !== undefined && span !== undefined) track.pending.delete(key);
    return span;
  }

  /** @internal The span contexts of `orionId`'s pending modifications (all orions: undefined). */
  pendingContexts(orionId: string | undefined): Map<string, SpanContext> {
    const found = new Map<string, SpanContext>();
    const tracks =
      orionId === undefined
        ? [...this.orions.entries()]
        : [[orionId, this.orions.get(orionId)] as const];
    for (const [id, track] of tracks) {
      for (const [key, span] of track?.pending ?? []) found.set(`${id}/${key}`, span.spanContext());
    }
    return found;
  }

  /** @internal Whether `orionId` has a modification pending, as far as this recorder saw. */
  hasPending(orionId: string): boolean {
    return (this.orions.get(orionId)?.pending.size ?? 0) > 0;
  }

  /** @internal Ends a hold as a span (start to `end`, links to what it waited for). */
  recordHold(orionId: string | undefined, hold: Hold, end: number, parent: Context): SpanContext {
    const links: Link[] = [...hold.waited.values()].map((c) => ({ context: c }));
    const span = this.tracer.startSpan(
      SPAN_NAMES.gateHold,
      {
        kind: SpanKind.INTERNAL,
        startTime: hrTime(hold.start),
        attributes: {
          ...(orionId === undefined ? {} : { [ATTR.orionId]: orionId }),
          [ATTR.valuesHeld]: hold.values,
          [ATTR.waitedFor]: links.length,
        },
        links,
      },
      parent,
    );
    span.end(hrTime(end));
    this.instruments.holdDuration.record(
      (end - hold.start) / 1000,
      orionId === undefined ? {} : { [ATTR.orionId]: orionId },
    );
    return span.spanContext();
  }

  /**
   * @internal A traced gate's new hold from `start`, waiting for `orionId`'s pending
   * modifications and those registered until {@link OrionSyncTelemetry.endGateHold}.
   */
  newHold(orionId: string | undefined, start: number): Hold {
    const waited = this.pendingContexts(orionId);
    const hold: Hold = { start, values: 0, waited };
    let open = this.gateHolds.get(orionId);
    if (open === undefined) this.gateHolds.set(orionId, (open = new Set()));
    open.add(hold);
    return hold;
  }

  /** @internal A traced gate released (`end`) or was unsubscribed (no `end`: no span). */
  endGateHold(orionId: string | undefined, hold: Hold, end?: number): void {
    const open = this.gateHolds.get(orionId);
    open?.delete(hold);
    if (open?.size === 0) this.gateHolds.delete(orionId);
    if (end !== undefined) this.recordHold(orionId, hold, end, this.parentFor(orionId));
  }

  // --- The orchestrator's gate, derived from its progress and the orion's pending set. ---

  /** @internal The orchestrator triggered at `at` (it does after each event it publishes). */
  orchestratorTriggered(orionId: string, at: number): void {
    const track = this.orions.get(orionId);
    if (track?.run?.gated !== true) return;
    if (track.hold === undefined) {
      // Its trigger passes at once unless a modification of the orion is owed.
      if (track.pending.size === 0) return;
      track.hold = { start: at, values: 0, waited: new Map() };
      for (const [key, span] of track.pending) track.hold.waited.set(key, span.spanContext());
    }
    track.hold.values++;
  }

  /** @internal The orion's pending set emptied at `at`: its orchestrator's gate opens. */
  orionSettled(orionId: string, at: number): void {
    const track = this.orions.get(orionId);
    if (track?.hold === undefined) {
      if (track !== undefined) this.release(orionId, track);
      return;
    }
    this.closeOrchestratorHold(orionId, track, at);
    this.release(orionId, track);
  }

  private closeOrchestratorHold(orionId: string, track: OrionTrack, at: number): void {
    const hold = track.hold;
    if (hold === undefined) return;
    track.hold = undefined;
    const ms = at - hold.start;
    track.heldTotal += ms;
    const span = this.recordHold(orionId, hold, at, this.parentFor(orionId));
    track.lastHold = { end: at, ms, span };
  }

  /** The orion's total orchestrator hold time up to `at`, the open hold included. */
  private heldUntil(track: OrionTrack, at: number): number {
    return track.heldTotal + (track.hold === undefined ? 0 : Math.max(0, at - track.hold.start));
  }

  /** @internal An orchestration of `orionId` started at `at`. */
  runStarted(orionId: string, at: number, gated: boolean): void {
    const track = this.track(orionId);
    if (track.run !== undefined) this.runEnded(orionId, at, "cancelled", undefined);
    const parent = this.callerParent(orionId);
    const span = this.tracer.startSpan(
      SPAN_NAMES.orchestration,
      { kind: SpanKind.INTERNAL, startTime: hrTime(at), attributes: { [ATTR.orionId]: orionId } },
      parent,
    );
    track.heldTotal = 0;
    track.lastHold = undefined;
    track.run = {
      span,
      context: trace.setSpan(parent, span),
      tasks: new Map(),
      ready: new Map(),
      gated,
    };
  }

  /** @internal Tasks became ready at `at`. */
  tasksReady(orionId: string, taskIds: readonly string[], at: number): void {
    const track = this.orions.get(orionId);
    if (track?.run === undefined) return;
    const held = this.heldUntil(track, at);
    for (const taskId of taskIds) track.run.ready.set(taskId, held);
  }

  /** @internal A task started at `at`. */
  taskStarted(orionId: string, taskId: string, eventId: string | undefined, at: number): void {
    const track = this.orions.get(orionId);
    const run = track?.run;
    if (track === undefined || run === undefined) return;
    const heldAtReady = run.ready.get(taskId);
    run.ready.delete(taskId);
    // Held time between becoming ready and starting; for a task the agent added (never
    // listed as newly ready), the hold that released it, if it ended right then.
    const heldMs =
      heldAtReady !== undefined
        ? this.heldUntil(track, at) - heldAtReady
        : track.lastHold?.end === at
          ? track.lastHold.ms
          : 0;
    const released = heldMs > 0 && track.lastHold?.end === at ? track.lastHold.span : undefined;
    const span = this.tracer.startSpan(
      SPAN_NAMES.task,
      {
        kind: SpanKind.INTERNAL,
        startTime: hrTime(at),
        attributes: {
          [ATTR.orionId]: orionId,
          [ATTR.taskId]: taskId,
          ...(eventId === undefined ? {} : { [ATTR.eventId]: eventId }),
          [ATTR.taskHeldMs]: heldMs,
        },
        // The hold that kept it: one click from "why did it wait" to what it waited for.
        links: released === undefined ? [] : [{ context: released }],
      },
      run.context,
    );
    run.tasks.get(taskId)?.end(hrTime(at));
    run.tasks.set(taskId, span);
  }

  /** @internal A task ended at `at`. */
  taskEnded(orionId: string, taskId: string, status: "completed" | "failed", at: number): void {
    const run = this.orions.get(orionId)?.run;
    const span = run?.tasks.get(taskId);
    if (run === undefined || span === undefined) return;
    run.tasks.delete(taskId);
    span.setAttribute(ATTR.taskStatus, status);
    if (status === "failed") span.setStatus({ code: SpanStatusCode.ERROR, message: "task failed" });
    span.end(hrTime(at));
  }

  /** @internal The orchestration ended at `at` (`error`: it failed with one). */
  runEnded(
    orionId: string,
    at: number,
    outcome: "completed" | "failed" | "cancelled",
    heldMs: number | undefined,
    error?: unknown,
  ): void {
    const track = this.orions.get(orionId);
    const run = track?.run;
    if (track === undefined || run === undefined) return;
    // A hold still open (cancelled while held) ends with the run, as the orchestrator's does.
    if (track.hold !== undefined) this.closeOrchestratorHold(orionId, track, at);
    for (const span of run.tasks.values()) {
      span.setAttribute(ATTR.taskStatus, "cancelled");
      span.end(hrTime(at));
    }
    run.span.setAttributes({
      [ATTR.orchestrationOutcome]: outcome,
      ...(heldMs === undefined ? {} : { [ATTR.orchestrationHeldMs]: heldMs }),
    });
    if (error !== undefined) {
      if (error instanceof Error) run.span.recordException(error, hrTime(at));
      run.span.setStatus({
        code: SpanStatusCode.ERROR,
        message: error instanceof Error ? error.message : String(error),
      });
    } else if (outcome === "failed") {
      run.span.setStatus({ code: SpanStatusCode.ERROR, message: "orion failed" });
    }
    run.span.end(hrTime(at));
    track.run = undefined;
    this.release(orionId, track);
  }
}

/** Options, or a recorder to share: what every `orion-sync/otel` attachment takes. */
export type TelemetryInput = OrionSyncTelemetry | OrionSyncTelemetryOptions | undefined;

/** The recorder `input` is, or a new one with its options. */
export function telemetryOf(input: TelemetryInput): OrionSyncTelemetry {
  return input instanceof OrionSyncTelemetry ? input : new OrionSyncTelemetry(input);
}
