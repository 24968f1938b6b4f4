/**
 * Spans of the reference orchestrator: its run, each task run, and the holds of its gate,
 * driven by its progress events and timed by their `at`.
 */
import { Observable, type MonoTypeOperatorFunction } from "rxjs";
import type { OrchestrationProgress } from "../src/orchestrator/types.js";
import { telemetryOf, type OrionSyncTelemetry, type TelemetryInput } from "./telemetry.js";

/** Options of {@link traceOrchestration} and {@link orchestrationObserver}. */
export interface TraceOrchestrationOptions {
  /**
   * Whether the orchestrator waits at its synchronizer's gate (its own `gate` option;
   * default `true`). With `true`, and the synchronizer instrumented with the same
   * telemetry, each time its ready tasks wait for the agent is an `orion_sync.gate.hold`
   * span, and task spans carry the time they were held.
   */
  readonly gate?: boolean;
}

/** Feeds one orchestration's progress to a recorder. */
class RunTracker {
  private orionId: string | undefined;
  private finished = false;

  constructor(
    private readonly t: OrionSyncTelemetry,
    private readonly gated: boolean,
  ) {}

  next(progress: OrchestrationProgress): void {
    if (progress.kind === "finished") {
      if (this.orionId !== undefined && !this.finished) {
        this.finished = true;
        this.t.runEnded(this.orionId, progress.at, progress.result.outcome, progress.result.heldMs);
      }
      return;
    }
    const { event, at } = progress;
    switch (event.type) {
      case "ORION_STARTED":
        this.orionId = event.orionId;
        this.t.runStarted(event.orionId, at, this.gated);
        // The orchestrator triggers after each event it publishes: its gate may hold it.
        this.t.orchestratorTriggered(event.orionId, at);
        return;
      case "TASK_STARTED":
        this.t.taskStarted(event.orionId, event.taskId, event.eventId, at);
        return;
      case "TASK_COMPLETED":
      case "TASK_FAILED":
        this.t.taskEnded(
          event.orionId,
          event.taskId,
          event.type === "TASK_COMPLETED" ? "completed" : "failed",
          at,
        );
        this.t.tasksReady(event.orionId, event.newlyReadyTaskIds ?? [], at);
        this.t.orchestratorTriggered(event.orionId, at);
        return;
      default:
        return;
    }
  }

  /** The progress ended without `finished`: an error, or an unsubscription (cancelled). */
  stop(error?: unknown): void {
    if (this.orionId === undefined || this.finished) return;
    this.finished = true;
    this.t.runEnded(
      this.orionId,
      this.t.scheduler.now(),
      error === undefined ? "cancelled" : "failed",
      undefined,
      error,
    );
  }
}

/**
 * Traces the orchestration whose progress passes through (`orchestrateOrion(...)`'s
 * output): an `orion_sync.orchestration` span for the run (child of `parentContext`), an
 * `orion_sync.task` span per task run under it, and `orion_sync.gate.hold` spans for the
 * time its ready tasks waited for the agent. Values pass through unchanged; nothing is
 * recorded before subscription.
 *
 * @example
 * orchestrateOrion(orion, { bus, synchronizer: sync, executeTask })
 *   .pipe(traceOrchestration(telemetry))
 *   .subscribe();
 */
export function traceOrchestration(
  telemetry?: TelemetryInput,
  options: TraceOrchestrationOptions = {},
): MonoTypeOperatorFunction<OrchestrationProgress> {
  const t = telemetryOf(telemetry);
  return (source) =>
    new Observable<OrchestrationProgress>((subscriber) => {
      const run = new RunTracker(t, options.gate !== false);
      const subscription = source.subscribe({
        next: (progress) => {
          run.next(progress);
          subscriber.next(progress);
        },
        error: (error: unknown) => {
          run.stop(error);
          subscriber.error(error);
        },
        complete: () => subscriber.complete(),
      });
      return () => {
        subscription.unsubscribe();
        run.stop();
      };
    });
}

/**
 * A progress callback that traces one orchestration, as {@link traceOrchestration} does:
 * for code that hands out callbacks rather than streams, such as the Redis worker's
 * `onProgress` (see `instrumentWorker`). One callback per orchestration run.
 */
export function orchestrationObserver(
  telemetry?: TelemetryInput,
  options: TraceOrchestrationOptions = {},
): (progress: OrchestrationProgress) => void {
  const run = new RunTracker(telemetryOf(telemetry), options.gate !== false);
  return (progress) => run.next(progress);
}
