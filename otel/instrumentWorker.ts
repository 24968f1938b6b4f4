/** The Redis worker, through the one hook it offers: its progress callback. */
import type { OrionWorkerOptions } from "../redis/runOrionWorker.js";
import { telemetryOf, type TelemetryInput } from "./telemetry.js";
import { orchestrationObserver } from "./traceOrchestration.js";

/**
 * `options` for `runOrionWorker`, with its orchestration traced (run and task spans, see
 * `traceOrchestration`) besides any `onProgress` you gave. The worker's synchronizer is
 * internal to it, so its modifications are not recorded from here: run an
 * `instrumentState` where the agent's side folds the same stream for those.
 *
 * @example
 * await runOrionWorker(client, instrumentWorker({ orionId, orion, executeTask }, telemetry));
 */
export function instrumentWorker<O extends OrionWorkerOptions>(
  options: O,
  telemetry?: TelemetryInput,
): O {
  const observe = orchestrationObserver(telemetryOf(telemetry), { gate: false });
  const theirs = options.onProgress;
  return {
    ...options,
    onProgress: (progress) => {
      observe(progress);
      theirs?.(progress);
    },
  };
}
