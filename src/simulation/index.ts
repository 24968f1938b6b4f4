/**
 * Simulated orchestrations in virtual time: the engine of the `orion-sync` CLI.
 * @packageDocumentation
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
export { hashSeed, mulberry32, randomInt, type Random } from "./random.js";
export {
  declareDependents,
  markDependents,
  simulate,
  type MsRange,
  type SimulateOptions,
  type SimulationProgress,
} from "./simulate.js";
