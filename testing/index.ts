/**
 * Test helpers for code built on orion-sync: event factories, a checked marble value map,
 * compact projections of pending states for expected marbles, a synchronizer on virtual
 * time, and a scripted agent. Framework-neutral (they need only rxjs): use them with RxJS's
 * `TestScheduler`, rxjs-marbles, or any test runner.
 *
 * ```ts
 * import { eventValues, orionModified, pendingIds, taskCompleted } from "orion-sync/testing";
 *
 * testScheduler.run(({ hot, expectObservable }) => {
 *   const events$ = hot("--c--m--", eventValues({ c: taskCompleted("a"), m: orionModified(["a"]) }));
 *   expectObservable(events$.pipe(pendingModifications(), map(pendingIds))).toBe(
 *     "e-a--e--",
 *     { e: "", a: "a" },
 *   );
 * });
 * ```
 * @module orion-sync/testing
 */
export {
  DEFAULT_ORION_ID,
  emptyOrion,
  orionCompleted,
  orionFailed,
  orionModified,
  orionStarted,
  taskCompleted,
  taskFailed,
  taskStarted,
  type OrionModifiedOptions,
  type TaskEventOptions,
} from "./events.js";
export { eventValues } from "./eventValues.js";
export { pendingIds } from "./pendingIds.js";
export { pendingSummary } from "./pendingSummary.js";
export { virtualTime, type VirtualTime } from "./virtualTime.js";
export {
  createTestSynchronizer,
  type TestSynchronizer,
  type TestSynchronizerOptions,
} from "./createTestSynchronizer.js";
export {
  createTestAgent,
  type TestAgent,
  type TestAgentEdit,
  type TestAgentOptions,
} from "./createTestAgent.js";
