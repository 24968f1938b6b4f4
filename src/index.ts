/**
 * orion-sync: keep a task-DAG orchestrator from running ahead of an LLM agent's edits.
 *
 * Like RxJS 7.2+, the main entry re-exports every operator, so `from "orion-sync"` and
 * `from "orion-sync/operators"` both work.
 * @packageDocumentation
 */
export type * from "./orion/types.js";
