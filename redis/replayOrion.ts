import type { OrionEvent } from "../src/events.js";
import { completeTask } from "../src/orion/completeTask.js";
import type { ReadyTaskOptions } from "../src/orion/getReadyTasks.js";
import { mergeOrionStates, type MergeOptions } from "../src/orion/mergeOrionStates.js";
import { startTask } from "../src/orion/startTask.js";
import type { TaskOrion } from "../src/orion/types.js";

/** What an orion's event log says about its execution: see {@link replayOrion}. */
export interface ReplayedOrion {
  /**
   * The orchestrator's orion as the log left it: the last `ORION_STARTED`'s orion, with
   * every later task event applied and every later agent `newOrion` merged in.
   * `undefined` if the log has no `ORION_STARTED` for this orion.
   */
  readonly orion: TaskOrion | undefined;
  /** How the orion ended, if the log says it did. */
  readonly ended: "ORION_COMPLETED" | "ORION_FAILED" | undefined;
  /** Tasks the log shows started and not ended: they were running when the log stopped. */
  readonly interrupted: readonly string[];
  /** Task events the orion could not take (unknown task, impossible transition). */
  readonly skipped: number;
}

/**
 * Rebuilds an orchestrator's execution state of orion `orionId` from its events, in log
 * order (a pure fold: the same events give the same orion). Events of other orions are
 * ignored. Used by `runOrionWorker` to resume an orion another worker was running.
 */
export function replayOrion(
  events: Iterable<OrionEvent>,
  orionId: string,
  options: { readonly readyOptions?: ReadyTaskOptions; readonly merge?: MergeOptions } = {},
): ReplayedOrion {
  let orion: TaskOrion | undefined;
  let ended: ReplayedOrion["ended"];
  let skipped = 0;
  for (const event of events) {
    if (event.orionId !== orionId) continue;
    switch (event.type) {
      case "ORION_STARTED":
        orion = event.orion;
        ended = undefined;
        break;
      case "ORION_COMPLETED":
      case "ORION_FAILED":
        ended = event.type;
        break;
      case "ORION_MODIFIED":
        if (orion !== undefined && event.newOrion !== undefined) {
          // What the orchestrator does before it starts anything: take the agent's structure.
          const merged = mergeOrionStates(event.newOrion, orion, options.merge);
          if (merged.report.error === undefined) orion = merged.orion;
        }
        break;
      default: {
        if (orion === undefined) break;
        const at = event.timestamp;
        try {
          orion =
            event.type === "TASK_STARTED"
              ? startTask(orion, event.taskId, at)
              : completeTask(
                  orion,
                  event.taskId,
                  event.type === "TASK_COMPLETED"
                    ? event.result === undefined
                      ? { success: true }
                      : { success: true, result: event.result }
                    : { success: false, error: event.error ?? null },
                  at,
                  options.readyOptions,
                ).orion;
        } catch {
          skipped++;
        }
      }
    }
  }
  const interrupted =
    orion === undefined
      ? []
      : Object.values(orion.tasks)
          .filter((task) => task.status === "running")
          .map((task) => task.id);
  return { orion, ended, interrupted, skipped };
}
