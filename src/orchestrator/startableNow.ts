/**
 * "Which ready task starts now": the orchestration loop's decision, as a pure function of what
 * the loop reads (the run's ready queue, what runs, the gate, the agent's orion). It decides one
 * start at a time: the loop asks again after each start, because a start can change every input
 * (an instant task completes inside it, registers a modification, makes tasks ready).
 * @module
 */
import type { Task } from "../orion/types.js";

/** What the gate says when asked: queries of the synchronizer's current state, read lazily. */
export type GateView =
  /** No gate (no synchronizer, or `gate: false`): a ready task starts at once, the race. */
  | { readonly kind: "none" }
  /** The whole-orion gate: nothing starts while any modification of the orion is pending. */
  | { readonly kind: "orion"; readonly pending: () => boolean }
  /**
   * Scoped starts: a task waits only for pending modifications whose scope holds it;
   * `holds([])` is whether a whole-orion one is pending (it holds every task).
   */
  | { readonly kind: "scoped"; readonly holds: (taskIds: readonly string[]) => boolean };

/** What the loop knows when it asks for the next start. */
export interface StartView {
  /** The best ready task (highest priority, then the run's order), if any. */
  readonly best: Task | undefined;
  /** Every ready task, best first: a sorted scan, read only when the best cannot start. */
  readonly ready: () => readonly Task[];
  /** Whether a start of that task still runs (a task put back to `pending` waits for it). */
  readonly isRunning: (taskId: string) => boolean;
  /** How many tasks run now. */
  readonly runningCount: number;
  /** At most this many run at once. */
  readonly maxConcurrency: number;
  readonly gate: GateView;
  /**
   * Whether the agent's orion must be merged before anything more starts: it changed since the
   * last merge, or a re-entrant pass of the loop asked for another round.
   */
  readonly mustMergeFirst: () => boolean;
}

/** Why nothing more starts now. */
export type StopReason =
  /** No ready task may start: none is ready, or each ready one still runs. */
  | "nothing-ready"
  /** `maxConcurrency` tasks run. */
  | "at-concurrency"
  /** The gate holds the orion, or (scoped) every ready task that may start. */
  | "held"
  /** The agent's orion changed: merge it, then decide again (never start a replaced definition). */
  | "merge-first";

/** The decision: start this task, or stop (and why). */
export type StartDecision =
  | { readonly kind: "start"; readonly task: Task }
  | { readonly kind: "stop"; readonly why: StopReason };

/** Whether the run may start `task` now: only a `pending` one, never one whose start still runs. */
export function mayStart(task: Task, isRunning: (taskId: string) => boolean): boolean {
  return task.status === "pending" && !isRunning(task.id);
}

/** The best ready task that may start; the sorted scan only when the best may not (rare). */
export function firstStartable(
  best: Task | undefined,
  ready: () => readonly Task[],
  isRunning: (taskId: string) => boolean,
): Task | undefined {
  return best === undefined || mayStart(best, isRunning)
    ? best
    : ready().find((t) => mayStart(t, isRunning));
}

/** Scoped: the ready tasks that may start but that a pending modification's scope holds. */
export function heldByScopes(
  ready: readonly Task[],
  isRunning: (taskId: string) => boolean,
  holds: (taskIds: readonly string[]) => boolean,
): Set<string> {
  const held = new Set<string>();
  for (const task of ready) {
    if (mayStart(task, isRunning) && holds([task.id])) held.add(task.id);
  }
  return held;
}

/** A stop decision. */
const stop = (why: StopReason): StartDecision => ({ kind: "stop", why });

/**
 * The next task to start now, or why none does. The rules, in the order they apply:
 *
 * 1. the candidate is the best ready task that may start (see {@link firstStartable});
 * 2. with `maxConcurrency` tasks running, nothing starts;
 * 3. scoped: a whole-orion modification holds everything; a candidate its scope holds gives way
 *    to the next ready task in order that may start and is not held;
 * 4. the whole-orion gate: a pending modification of the orion holds everything;
 * 5. if the agent's orion must be merged first, nothing starts before that.
 *
 * The gate is asked in that order and only as far as needed (each query reads the
 * synchronizer's state, and scoped ones scan scopes).
 */
export function startableNow(view: StartView): StartDecision {
  const { gate, isRunning } = view;
  let task = firstStartable(view.best, view.ready, isRunning);
  if (task === undefined) return stop("nothing-ready");
  if (view.runningCount >= view.maxConcurrency) return stop("at-concurrency");
  if (gate.kind === "scoped") {
    // Only modifications whose scope holds a task keep it back; a whole-orion one holds every
    // task, so nothing is scanned for it.
    if (gate.holds([])) return stop("held");
    if (gate.holds([task.id])) {
      // The best is held: the next in order that is not (a sorted scan; rare).
      task = view.ready().find((t) => mayStart(t, isRunning) && !gate.holds([t.id]));
      if (task === undefined) return stop("held");
    }
  } else if (gate.kind === "orion" && gate.pending()) {
    return stop("held");
  }
  if (view.mustMergeFirst()) return stop("merge-first");
  return { kind: "start", task };
}
