/**
 * Simulated orchestrations in virtual time, and their timelines: the engine of the
 * `orion-sync` CLI (`demo`, `simulate`), for trying a plan, an agent's latency and a gate's
 * cost before running them for real.
 *
 * ```ts
 * import { DEMO_DEFAULTS, demoEdit, demoOrion } from "orion-sync/simulation";
 * import { renderTimeline, simulate } from "orion-sync/simulation";
 *
 * const gated = simulate(demoOrion(), { ...DEMO_DEFAULTS, gated: true, edit: demoEdit });
 * const html = renderTimeline([gated], "html");
 * ```
 * @module orion-sync/simulation
 */
export type * from "./types.js";
export {
  DEMO_DEFAULTS,
  DEMO_EDITED_TASK,
  DEMO_INSERTED_TASK,
  DEMO_REWIRED_TASK,
  DEMO_TRIGGER_TASK,
  demoEdit,
  demoOrion,
} from "./demoOrion.js";
export {
  declareDependents,
  markDependents,
  simulate,
  type MsRange,
  type SimulateOptions,
  type SimulationProgress,
} from "./simulate.js";
export { renderTimeline, type TimelineFormat } from "../timeline/renderTimeline.js";
