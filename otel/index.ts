/**
 * orion-sync/otel: OpenTelemetry traces and metrics of modifications, gate holds and
 * orchestrations, on `@opentelemetry/api` (an optional peer dependency: install it to use
 * this entry; the main entry never imports it). Nothing is recorded until you attach it.
 * @module orion-sync/otel
 */
export { ANSWER_EVENT, ATTR, INSTRUMENTATION_SCOPE, METRIC_NAMES, SPAN_NAMES } from "./names.js";
export {
  hrTime,
  OrionSyncTelemetry,
  type OrionSyncTelemetryOptions,
  type TelemetryInput,
} from "./telemetry.js";
export { instrumentState, instrumentSynchronizer } from "./instrumentState.js";
export {
  orchestrationObserver,
  traceOrchestration,
  type TraceOrchestrationOptions,
} from "./traceOrchestration.js";
export { traceGate, type TraceGateOptions } from "./traceGate.js";
export { instrumentWorker } from "./instrumentWorker.js";
