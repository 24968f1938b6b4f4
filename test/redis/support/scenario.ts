/** The orion of the recovery tests, shared by the worker and agent processes and the test. */
import { orion } from "../../../src/orion/orion.js";
import type { TaskOrion } from "../../../src/orion/types.js";

/** `a` then `b` (b after a); the agent edits `b.params.v` from 1 to 2 when `a` completes. */
export function recoveryOrion(id: string): TaskOrion {
  return orion(id)
    .task("a", { params: { v: 1 } })
    .task("b", { after: "a", params: { v: 1 } })
    .build();
}

/** What a task appends to the run log (a Redis list) when it executes. */
export interface RunRecord {
  readonly taskId: string;
  readonly params: unknown;
  readonly pid: number;
}

/** The Redis list where tasks log their runs. */
export const runLogKey = (orionId: string): string => `orion:{${orionId}}:runs`;
