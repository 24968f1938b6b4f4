/**
 * The orion model: plain, read-only task-DAG data and the pure functions over it, one concept per
 * file.
 * @packageDocumentation
 */
export type * from "./types.js";
export { cancelTask } from "./cancelTask.js";
export { completeTask, type TaskOutcome, type TaskTransition } from "./completeTask.js";
export { DEFAULT_PRIORITY } from "./DEFAULT_PRIORITY.js";
export {
  dependencyTypes,
  isDependencySatisfied,
  isDependencyType,
  type DependencyConditions,
} from "./dependencyType.js";
export { deriveOrionState, orionStates } from "./orionState.js";
export { getBlockedTasks, type BlockedTask, type BlockReason } from "./getBlockedTasks.js";
export { getDescendants } from "./getDescendants.js";
export { getReadyTasks, type ReadyTaskOptions } from "./getReadyTasks.js";
export {
  IllegalTransitionError,
  InvalidOrionError,
  OrionCycleError,
  UnknownTaskError,
} from "./errors.js";
export { isComplete } from "./isComplete.js";
export {
  isTaskModifiable,
  isTaskStatus,
  isTerminalStatus,
  statusLevel,
  taskStatuses,
} from "./taskStatus.js";
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
export {
  createOrionRun,
  type AgentOrionChange,
  type OrionRun,
  type OrionRunCounts,
  type OrionRunOptions,
} from "./OrionRun.js";
export { startTask } from "./startTask.js";
export { topologicalOrder } from "./topologicalOrder.js";
export { validateOrion, type OrionIssue, type OrionValidation } from "./validateOrion.js";
