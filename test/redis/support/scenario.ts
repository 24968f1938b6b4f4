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

/**
 * The chaos test's orion: four independent chains of four tasks (`c<chain>-<step>`), and
 * `huge`, whose result is over the readers' limit.
 */
export function chaosOrion(id: string): TaskOrion {
  let builder = orion(id).task("huge");
  for (let chain = 0; chain < 4; chain++) {
    for (let step = 0; step < 4; step++) {
      builder =
        step === 0
          ? builder.task(`c${chain}-${step}`)
          : builder.task(`c${chain}-${step}`, { after: `c${chain}-${step - 1}` });
    }
  }
  return builder.build();
}

/** The chaos workers' `workerId` (the `origin` of their entries): named after the process. */
export function workerIdOf(pid: number): string {
  return `${WORKER_ID_PREFIX}${pid}`;
}

/** What every chaos worker's id starts with (the agent and stray entries have other origins). */
export const WORKER_ID_PREFIX = "chaos-worker-";
