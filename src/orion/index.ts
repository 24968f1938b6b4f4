/**
 * The orion model: plain, read-only task-DAG data and the pure functions over it, one per file.
 * @packageDocumentation
 */
export type * from "./types.js";
export { cancelTask } from "./cancelTask.js";
export { completeTask, type TaskOutcome, type TaskTransition } from "./completeTask.js";
export { DEFAULT_PRIORITY } from "./DEFAULT_PRIORITY.js";
export { dependencyTypes } from "./dependencyTypes.js";
export { deriveOrionState } from "./deriveOrionState.js";
export { getBlockedTasks, type BlockedTask, type BlockReason } from "./getBlockedTasks.js";
export { getDescendants } from "./getDescendants.js";
export { getReadyTasks, type ReadyTaskOptions } from "./getReadyTasks.js";
export { IllegalTransitionError } from "./IllegalTransitionError.js";
export { InvalidOrionError } from "./InvalidOrionError.js";
export { isComplete } from "./isComplete.js";
export { isDependencySatisfied, type DependencyConditions } from "./isDependencySatisfied.js";
export { isDependencyType } from "./isDependencyType.js";
export { isTaskModifiable } from "./isTaskModifiable.js";
export { isTaskStatus } from "./isTaskStatus.js";
export { isTerminalStatus } from "./isTerminalStatus.js";
export { mergeOrionReducer } from "./mergeOrionReducer.js";
export {
  mergeOrionStates,
  type DefinitionField,
  type MergeConflict,
  type MergeOptions,
  type MergeReport,
  type MergeResult,
} from "./mergeOrionStates.js";
export {
  orion,
  type DependencySpec,
  type OrionBuilder,
  type OrionSpec,
  type TaskSpec,
} from "./orion.js";
export { OrionCycleError } from "./OrionCycleError.js";
export {
  createOrionRun,
  type AgentOrionChange,
  type OrionRun,
  type OrionRunCounts,
  type OrionRunOptions,
} from "./OrionRun.js";
export { orionStates } from "./orionStates.js";
export { startTask } from "./startTask.js";
export { statusLevel } from "./statusLevel.js";
export { taskStatuses } from "./taskStatuses.js";
export { topologicalOrder } from "./topologicalOrder.js";
export { UnknownTaskError } from "./UnknownTaskError.js";
export { validateOrion, type OrionIssue, type OrionValidation } from "./validateOrion.js";
