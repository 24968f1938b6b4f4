/**
 * The RxJS operators of orion-sync, one per file, like RxJS's own.
 * @module orion-sync/operators
 */
export {
  gateReadyTasks,
  GateOverflowError,
  GateStateEndedError,
  UnseenEventError,
} from "./gateReadyTasks.js";
export type { GateReadyTasksOptions } from "./gateReadyTasks.js";
export { hasPending } from "./hasPending.js";
export { pendingCount } from "./pendingCount.js";
export { DEFAULT_MODIFICATION_TIMEOUT, pendingModifications } from "./pendingModifications.js";
export type { PendingModificationsOptions } from "./pendingModifications.js";
export { settled } from "./settled.js";
export { shareState } from "./shareState.js";
export { skipStaleStates } from "./skipStaleStates.js";
export { waitForPendingModifications } from "./waitForPendingModifications.js";
export type { WaitForPendingModificationsOptions } from "./waitForPendingModifications.js";
export { isStillSettled, settleToken, SettleTimeoutError, whenSettled } from "./whenSettled.js";
export type { Settled, SettleToken, WhenSettledOptions } from "./whenSettled.js";
