/**
 * orion-sync: keep a task-DAG orchestrator from running ahead of an LLM agent's edits.
 *
 * Like RxJS 7.2+, the main entry re-exports every operator, so `from "orion-sync"` and
 * `from "orion-sync/operators"` both work. The simulation and its timelines (the CLI's engine)
 * are `orion-sync/simulation`; test helpers `orion-sync/testing`; adapters `orion-sync/redis`
 * and `orion-sync/otel`.
 * @module orion-sync
 */
export * from "../operators/index.js";
export * from "./bus.js";
export * from "./events.js";
export * from "./synchronizer.js";
export * from "./orchestrator/index.js";
export * from "./agent/index.js";
export * from "./orion/index.js";
export * from "./ufo/index.js";
export * from "./pending/PendingState.js";
export {
  ANSWERED_RECORDS_LIMIT,
  SEEN_EVENTS_LIMIT,
  initialPendingState,
  reducePending,
  type ExpiryCandidate,
  type PendingCommand,
  type PendingInput,
} from "./pending/reducePending.js";
