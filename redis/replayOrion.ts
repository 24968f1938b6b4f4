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

/** Options of {@link replayOrion} and {@link OrionReplayer}. */
export interface ReplayOptions {
  readonly readyOptions?: ReadyTaskOptions;
  readonly merge?: MergeOptions;
}

/**
 * Rebuilds an orchestrator's execution state of orion `orionId` from its events, in log
 * order (a pure fold: the same events give the same orion). Events of other orions are
 * ignored. Used by `runOrionWorker` to resume an orion another worker was running.
 */
export function replayOrion(
  events: Iterable<OrionEvent>,
  orionId: string,
  options: ReplayOptions = {},
): ReplayedOrion {
  const replayer = new OrionReplayer(orionId, options);
  for (const event of events) replayer.apply(event);
  return replayer.result();
}

/**
 * {@link replayOrion} one event at a time, so that a long log can be replayed in chunks
 * (the worker yields to the event loop between them), starting from a snapshot's orion.
 */
export class OrionReplayer {
  private orion: TaskOrion | undefined;
  private ended: ReplayedOrion["ended"];
  private skipped = 0;

  /**
   * A replayer of one orion, from an empty log or from a snapshot's state.
   * @param orionId - the orion replayed; events of others are ignored
   * @param options - ready predicates and merge options
   * @param from - the state to continue from (a snapshot's), instead of an empty log
   */
  constructor(
    private readonly orionId: string,
    private readonly options: ReplayOptions = {},
    from?: { readonly orion: TaskOrion | undefined; readonly ended: ReplayedOrion["ended"] },
  ) {
    this.orion = from?.orion;
    this.ended = from?.ended;
  }

  /** Applies one event of the log. */
  apply(event: OrionEvent): void {
    if (event.orionId !== this.orionId) return;
    const options = this.options;
    switch (event.type) {
      case "ORION_STARTED":
        this.orion = event.orion;
        this.ended = undefined;
        break;
      case "ORION_COMPLETED":
      case "ORION_FAILED":
        this.ended = event.type;
        break;
      case "ORION_MODIFIED":
        if (this.orion !== undefined && event.newOrion !== undefined) {
          // What the orchestrator does before it starts anything: take the agent's structure.
          const merged = mergeOrionStates(event.newOrion, this.orion, options.merge);
          if (merged.report.error === undefined) this.orion = merged.orion;
        }
        break;
      case "ORION_MODIFYING":
        // A scope declaration changes nothing in the orion.
        break;
      default: {
        const orion = this.orion;
        if (orion === undefined) break;
        const at = event.timestamp;
        try {
          this.orion =
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
          this.skipped++;
        }
      }
    }
  }

  /** What the events applied so far say. */
  result(): ReplayedOrion {
    const orion = this.orion;
    const interrupted =
      orion === undefined
        ? []
        : Object.values(orion.tasks)
            .filter((task) => task.status === "running")
            .map((task) => task.id);
    return { orion, ended: this.ended, interrupted, skipped: this.skipped };
  }
}
