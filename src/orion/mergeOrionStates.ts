import { getReadyTasks, type ReadyTaskOptions } from "./getReadyTasks.js";
import { InvalidOrionError } from "./errors.js";
import { compareReadyTasks } from "./internal/compareReadyTasks.js";
import {
  dependencyIndex,
  dependencyIndexLike,
  type DependencyIndex,
} from "./internal/dependencyIndex.js";
import { ownReader } from "../internal/records.js";
import { recordFacts, recordKeys } from "./internal/recordFacts.js";
import { isNotStarted, isTaskStatus } from "./taskStatus.js";
import { isReadyIn } from "./internal/isReadyIn.js";
import { withTasks } from "./internal/orionWithTasks.js";
import { createRecord } from "./internal/createRecord.js";
import { countStatus, emptyCounts, stateFromCounts } from "./orionState.js";
import { mergeTask } from "./internal/mergeTask.js";
import type { Task, TaskOrion, TaskStatus } from "./types.js";
import { validateOrion } from "./validateOrion.js";

/** Options of `mergeOrionStates`. */
export interface MergeOptions extends ReadyTaskOptions {
  /**
   * When the agent removed a task that the orchestrator has started (running or terminal), drop
   * it anyway. Default `false`: keep the orchestrator's task, so no execution state is lost.
   */
  readonly dropRemovedTasks?: boolean;
}

/** The fields that make up a task's definition (what the agent edits). */
export type DefinitionField =
  "name" | "description" | "priority" | "deviceType" | "targetDeviceId" | "params" | "extra";

/** Something the agent's orion and the orchestrator's disagreed on, and how it was resolved. */
export type MergeConflict =
  | {
      /** The agent changed a task that has started; the orchestrator's definition stands. */
      readonly kind: "definition_changed";
      /** The task. */
      readonly taskId: string;
      /** The fields the agent changed. */
      readonly fields: readonly DefinitionField[];
    }
  | {
      /** The agent removed a task that has started. */
      readonly kind: "removed_started_task";
      /** The task. */
      readonly taskId: string;
      /** The task's status in the orchestrator's orion. */
      readonly status: TaskStatus;
      /** `kept` (the default) or `dropped` (with `dropRemovedTasks`). */
      readonly resolution: "kept" | "dropped";
    }
  | {
      /** Both orions say the task finished, differently; the orchestrator's outcome stands. */
      readonly kind: "execution_state_differs";
      /** The task. */
      readonly taskId: string;
      /** Its status in the agent's orion. */
      readonly agentStatus: TaskStatus;
      /** Its status in the orchestrator's orion: the one kept. */
      readonly orchestratorStatus: TaskStatus;
    };

/** What a merge did. Task ids are listed in the agent's, then the orchestrator's, order. */
export interface MergeReport {
  /** Tasks whose execution state (or, for kept tasks, whole task) came from the orchestrator. */
  readonly preserved: readonly string[];
  /** Edits of the agent that the merge overrode or resolved, one per task. */
  readonly conflicts: readonly MergeConflict[];
  /** Tasks the agent added (not in the orchestrator's orion). */
  readonly added: readonly string[];
  /** Tasks the agent removed that are not in the merged orion. */
  readonly removed: readonly string[];
  /** Tasks ready in the merged orion that were not ready in the orchestrator's (priority order). */
  readonly newlyReady: readonly Task[];
  /**
   * Set when the merged orion would be invalid (a cycle, a dangling edge...): the merge then
   * returns the orchestrator's orion unchanged and every other list is empty.
   */
  readonly error?: InvalidOrionError;
}

/** The merged orion and what the merge did. */
export interface MergeResult {
  /** The merged orion (the orchestrator's, unchanged, when `report.error` is set). */
  readonly orion: TaskOrion;
  /** What the merge did. */
  readonly report: MergeReport;
}

/**
 * Merges the agent's edited orion with the orchestrator's, so that the agent decides the plan
 * and the orchestrator's record of what happened is never lost. An immer `produce` over the
 * agent's orion:
 *
 * - Structure (tasks, dependencies, params) comes from the agent's orion.
 * - For a task in both, the orchestrator's execution state (status, result, error, execution
 *   times) is kept unless the agent's status is strictly more advanced (see `statusLevel`).
 * - A task the orchestrator has started is no longer modifiable: if the agent changed its
 *   definition, the orchestrator's stands (`definition_changed` conflict).
 * - A task the agent removed but the orchestrator has started is kept, or dropped with
 *   `dropRemovedTasks` (`removed_started_task` conflict either way).
 * - The orion's `state` is derived again.
 * - If the result would be invalid (see `validateOrion`), the orchestrator's orion is returned
 *   unchanged, with an `InvalidOrionError` in the report.
 *
 * Tasks the merge did not change are the agent's own objects, and if nothing changed the agent's
 * orion itself is returned. The signature suits `scan`:
 * `scan((current, agent) => mergeOrionStates(agent, current).orion, initial)`, or see
 * `mergeOrionReducer`. O(tasks + dependencies).
 */
export function mergeOrionStates(
  agentOrion: TaskOrion,
  orchestratorOrion: TaskOrion,
  options?: MergeOptions,
): MergeResult {
  const agentTasks = agentOrion.tasks;
  const orchestratorTasks = orchestratorOrion.tasks;
  const preserved: string[] = [];
  const conflicts: MergeConflict[] = [];
  const added: string[] = [];
  const removed: string[] = [];
  // Tasks whose status in the result differs from the orchestrator's: only they, and the tasks
  // right after them, can have become ready.
  const moved: string[] = [];
  const counts = emptyCounts();
  let tasksWellFormed = true;
  let matched = 0;
  let kept = 0;
  const orchestratorTask = ownReader(orchestratorTasks);
  const agentKeys = recordKeys(agentTasks);
  // The merged task record, started at the first task that differs from the agent's (so an
  // unchanged merge copies nothing) and filled in the same pass from then on.
  let tasks: { [taskId: string]: Task } | undefined;

  for (let i = 0; i < agentKeys.length; i++) {
    const taskId = agentKeys[i]!;
    const agentTask = agentTasks[taskId]!;
    const theirs = orchestratorTask(taskId);
    let merged = agentTask;
    if (theirs === undefined) {
      added.push(taskId);
      moved.push(taskId);
    } else {
      matched++;
      if (agentTask !== theirs) {
        merged = mergeTask(taskId, agentTask, theirs, preserved, conflicts);
        if (merged !== agentTask && tasks === undefined) tasks = copyKeys(agentTasks, agentKeys, i);
        if (merged.status !== theirs.status) moved.push(taskId);
      }
    }
    if (tasks !== undefined) tasks[taskId] = merged;
    if (merged.id !== taskId || !isTaskStatus(merged.status)) tasksWellFormed = false;
    countStatus(counts, merged.status, 1);
  }

  // Tasks the agent removed: only look for them if the orchestrator has more tasks than matched.
  const orchestratorCount =
    recordFacts(orchestratorTasks).keyCount ?? recordKeys(orchestratorTasks).length;
  if (matched !== orchestratorCount) {
    for (const taskId of recordKeys(orchestratorTasks)) {
      if (Object.hasOwn(agentTasks, taskId)) continue;
      const theirs = orchestratorTasks[taskId]!;
      if (isNotStarted(theirs.status)) {
        removed.push(taskId);
        continue;
      }
      const resolution = options?.dropRemovedTasks === true ? "dropped" : "kept";
      conflicts.push({ kind: "removed_started_task", taskId, status: theirs.status, resolution });
      if (resolution === "dropped") {
        removed.push(taskId);
      } else {
        preserved.push(taskId);
        tasks ??= copyKeys(agentTasks, agentKeys, agentKeys.length);
        tasks[taskId] = theirs;
        kept++;
        if (theirs.id !== taskId || !isTaskStatus(theirs.status)) tasksWellFormed = false;
        countStatus(counts, theirs.status, 1);
      }
    }
  }

  const merged = withTasks(
    agentOrion,
    tasks,
    stateFromCounts(counts),
    agentKeys.length + kept,
    kept === 0 ? agentKeys : undefined,
  );
  const orchestratorIndex = dependencyIndex(orchestratorOrion.dependencies);
  const index =
    merged.dependencies === orchestratorOrion.dependencies
      ? orchestratorIndex
      : dependencyIndexLike(merged.dependencies, orchestratorIndex);
  const sameEdges = index === orchestratorIndex;
  if (
    !tasksWellFormed ||
    !index.sound() ||
    !holdsEndpoints(merged, orchestratorOrion, index, sameEdges && removed.length === 0)
  ) {
    const validation = validateOrion(merged);
    if (!validation.ok) {
      return {
        orion: orchestratorOrion,
        report: {
          preserved: [],
          conflicts: [],
          added: [],
          removed: [],
          newlyReady: [],
          error: new InvalidOrionError(agentOrion.id, validation.errors),
        },
      };
    }
  }

  const newlyReady =
    sameEdges && options?.conditions === undefined
      ? becameReady(merged, orchestratorOrion, index, moved)
      : readyDifference(merged, orchestratorOrion, options);
  return { orion: merged, report: { preserved, conflicts, added, removed, newlyReady } };
}

/**
 * Whether every task the edges name is in `merged`, and remember it. When the merged orion
 * has every task of the orchestrator's (`superset`) and the same edges, it is enough that the
 * orchestrator's orion has them: that is checked once per orchestrator task record.
 */
function holdsEndpoints(
  merged: TaskOrion,
  orchestrator: TaskOrion,
  index: DependencyIndex,
  superset: boolean,
): boolean {
  const facts = recordFacts(merged.tasks);
  if (facts.holdsEndpointsOf === index) return true;
  if (superset) {
    const theirs = recordFacts(orchestrator.tasks);
    if (theirs.holdsEndpointsOf !== index && allIn(index, orchestrator.tasks)) {
      theirs.holdsEndpointsOf = index;
    }
    if (theirs.holdsEndpointsOf === index) {
      facts.holdsEndpointsOf = index;
      return true;
    }
  }
  if (!allIn(index, merged.tasks)) return false;
  facts.holdsEndpointsOf = index;
  return true;
}

function allIn(index: DependencyIndex, tasks: TaskOrion["tasks"]): boolean {
  for (const taskId of index.endpoints()) if (!Object.hasOwn(tasks, taskId)) return false;
  return true;
}

/**
 * Ready in `merged` but not in `orchestrator`, when both have the same edges (one index) and no
 * condition predicates: a task's readiness depends only on its own status and its sources'
 * statuses, so only the `moved` tasks and their direct dependents need checking.
 */
function becameReady(
  merged: TaskOrion,
  orchestrator: TaskOrion,
  index: DependencyIndex,
  moved: readonly string[],
): readonly Task[] {
  const candidates = new Set<string>(moved);
  const outgoing = index.outgoing();
  for (const taskId of moved) {
    for (const dependency of outgoing.get(taskId) ?? []) candidates.add(dependency.toTaskId);
  }
  const ready: Task[] = [];
  for (const taskId of candidates) {
    if (
      isReadyIn(merged, index, taskId, undefined) &&
      !isReadyIn(orchestrator, index, taskId, undefined)
    ) {
      ready.push(merged.tasks[taskId]!);
    }
  }
  return ready.sort(compareReadyTasks);
}

/** Ready in `merged` but not in `orchestrator`, from both ready sets in full. */
function readyDifference(
  merged: TaskOrion,
  orchestrator: TaskOrion,
  options: ReadyTaskOptions | undefined,
): readonly Task[] {
  const wasReady = new Set<string>();
  for (const task of getReadyTasks(orchestrator, options)) wasReady.add(task.id);
  return getReadyTasks(merged, options).filter((task) => !wasReady.has(task.id));
}
/** A new null-prototype record holding the first `count` of `record`'s `keys`. */
function copyKeys(
  record: { readonly [taskId: string]: Task },
  keys: readonly string[],
  count: number,
): { [taskId: string]: Task } {
  const copy = createRecord<Task>();
  for (let i = 0; i < count; i++) copy[keys[i]!] = record[keys[i]!]!;
  return copy;
}
