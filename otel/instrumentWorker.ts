/** The Redis worker, through its hooks: its synchronizer and its progress callback. */
import type { OrionWorkerOptions } from "../redis/runOrionWorker.js";
import { instrumentSynchronizer } from "./instrumentState.js";
import { telemetryOf, type TelemetryInput } from "./telemetry.js";
import { orchestrationObserver } from "./traceOrchestration.js";

/**
 * `options` for `runOrionWorker`, with its synchronizer instrumented (modification spans,
 * replayed ones included, and metrics, see `instrumentSynchronizer`) and its orchestration
 * traced (run, task and gate-hold spans, see `traceOrchestration`), besides any
 * `onSynchronizer` and `onProgress` you gave.
 *
 * @example
 * await runOrionWorker(client, instrumentWorker({ orionId, orion, executeTask }, telemetry));
 */
export function instrumentWorker<O extends OrionWorkerOptions>(
  options: O,
  telemetry?: TelemetryInput,
): O {
  const shared = telemetryOf(telemetry);
  const observe = orchestrationObserver(shared, { gate: true });
  const theirs = options.onProgress;
  const theirSync = options.onSynchronizer;
  return {
    ...options,
    // The subscription ends with the synchronizer: its state$ completes on dispose.
    onSynchronizer: (synchronizer) => {
      instrumentSynchronizer(synchronizer, shared);
      theirSync?.(synchronizer);
    },
    onProgress: (progress) => {
      observe(progress);
      theirs?.(progress);
    },
  };
}
