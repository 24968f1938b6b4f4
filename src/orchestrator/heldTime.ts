/**
 * What the result reports of the gate's holds: the held time (`heldMs`) and, scoped, each
 * task's holds (`taskHolds`). The orchestration is held while a trigger waits at the gate or
 * (scoped) some ready task waits for a scope; a period counts once it ends.
 * @module
 */
import type { TaskHold } from "./types.js";

/** The held time of one orchestration, told when triggers wait and which tasks scopes hold. */
export interface HeldTime {
  /** A trigger starts (`true`) or stops (`false`) waiting at the gate. */
  triggerWaiting(waiting: boolean): void;
  /** Scoped: the ready tasks a scope holds now; the holds of the others end. */
  tasksHeld(held: ReadonlySet<string>): void;
  /** Ends every task's hold: the orchestration ends. */
  endTaskHolds(): void;
  /** The total of the held periods that ended, in ms. */
  readonly ms: number;
  /** The tasks' holds that ended, in the order they ended. */
  readonly taskHolds: readonly TaskHold[];
}

/** Held-time bookkeeping on the orchestration's clock `now`. */
export function createHeldTime(now: () => number): HeldTime {
  let heldSince: number | undefined;
  let heldMs = 0;
  /** A trigger waits at the gate. */
  let triggerWaiting = false;
  /** Scoped: some ready task waits for a scope. Held time is when either is true. */
  let tasksHeld = false;
  /** Scoped: since when each ready task has been held, and the holds that ended. */
  const heldFrom = new Map<string, number>();
  const taskHolds: TaskHold[] = [];

  /** Starts or ends a held period as the two reasons to be held say. */
  const updateHeld = (): void => {
    const holding = triggerWaiting || tasksHeld;
    if (holding && heldSince === undefined) heldSince = now();
    else if (!holding && heldSince !== undefined) {
      heldMs += now() - heldSince;
      heldSince = undefined;
    }
  };

  /** Ends the held periods of tasks no longer held (all, with `undefined`). */
  const closeHolds = (still: ReadonlySet<string> | undefined): void => {
    for (const [taskId, from] of heldFrom) {
      if (still?.has(taskId) === true) continue;
      heldFrom.delete(taskId);
      if (now() > from) taskHolds.push({ taskId, from, to: now() });
    }
    tasksHeld = heldFrom.size > 0;
    updateHeld();
  };

  return {
    triggerWaiting(waiting) {
      triggerWaiting = waiting;
      updateHeld();
    },
    tasksHeld(held) {
      // Ended holds first (this may end a held period), then the new ones (this may start one).
      closeHolds(held);
      for (const taskId of held) if (!heldFrom.has(taskId)) heldFrom.set(taskId, now());
      tasksHeld = heldFrom.size > 0;
      updateHeld();
    },
    endTaskHolds: () => closeHolds(undefined),
    get ms() {
      return heldMs;
    },
    taskHolds,
  };
}
