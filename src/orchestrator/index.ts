export { createOrchestrator, type Orchestrator } from "./createOrchestrator.js";
export { orchestrateOrion } from "./orchestrateOrion.js";
export { runOrion } from "./runOrion.js";
export type * from "./types.js";
