/**
 * A running orion as a mutable working copy that publishes plain, frozen `TaskOrion` snapshots on
 * demand, so that every per-task step costs O(1 + the task's own edges) instead of copying and
 * rescanning the whole orion (issue 15).
 *
 * Intended call sequence (the reference orchestrator's loop):
 *
 * ```ts
 * const run = createOrionRun(orion, { conditions, dropRemovedTasks }); // O(n), validates
 * for (const task of run.takeReady(free, now())) execute(task);         // started, best first
 * const newlyReady = run.complete(taskId, { success: true, result }, now()); // or run.cancel()
 * const report = run.applyAgentOrion(agentOrion);         // the agent's edit, by difference
 * const report2 = run.applyAgentOrion(agentOrion, { tasks: ["b"], dependencies: ["a->b"] });
 * run.peekReady(); run.ready(); run.task(id); run.state(); run.counts(); run.isFinished();
 * const orion = run.snapshot(); // plain TaskOrion, memoised per version, O(n) after a change
 * ```
 *
 * Costs: `start`, `complete`, `cancel`: O(1 + the task's edges), plus O(log ready) for the
 * ready queue. `takeReady(k)`: O(k log ready). `applyAgentOrion`: O(change + its edges), plus
 * finding the change: free when given the changed keys (`hint`) or when a record is the same
 * object as the last agent orion's; otherwise one walk of the agent's keys comparing task objects
 * by identity (about 20 ms at 100,000 tasks, the cost of `Object.keys` on a large record; immer
 * keeps unchanged tasks the same objects, so nothing else is compared). An added edge that
 * disagrees with the kept topological ranks re-ranks only the tasks between its ends.
 * `snapshot()`: O(n) the first time after a change (a 100,000-key record takes about 100 ms to
 * build in V8), free until the next change: call it when a plain orion is needed (a
 * progress event that is actually read, an executor that asks, the end), not per step.
 *
 * Why a mutable working copy: measured in `bench/representations.ts` (see docs/performance.md),
 * a transition costs about 0.25–1 µs in a `Map`, 0.7–3.6 µs in a persistent hash trie, and 0.2
 * to 195 ms when a plain record is copied per transition (what `startTask` does, and what immer's
 * structural sharing amounts to on a flat record); publishing a plain record costs the same from
 * the trie as from the `Map`. A persistent map would only win if every intermediate version had
 * to be kept for later, which no consumer of the orchestrator needs.
 *
 * Semantics match the model's functions: `start`/`complete`/`cancel` as `startTask`/
 * `completeTask`/`cancelTask`; `ready()` as `getReadyTasks(run.snapshot())`; after
 * `applyAgentOrion(agent)`, `snapshot()` equals `mergeOrionStates(agent, before).orion` (same
 * tasks, edges, state and top-level fields; tasks the agent added that were not there before come
 * last in key order). Its report lists what the difference touched: `preserved` and `conflicts`
 * name only tasks the agent changed since its last accepted orion (the whole-orion merge repeats
 * every earlier conflict each time), `added`, `removed` and `newlyReady` are as the merge's. An
 * edit that would make the orion invalid is rejected as a whole, with the merge's
 * `InvalidOrionError`, and the run is left as it was.
 */
import { InvalidOrionError, UnknownTaskError } from "./errors.js";
import type { TaskOutcome } from "./completeTask.js";
import { isDependencySatisfied, isDependencyType } from "./dependencyType.js";
import { isTaskStatus, isNotStarted } from "./taskStatus.js";
import { compareReadyTasks } from "./internal/compareReadyTasks.js";
import { createRecord } from "./internal/createRecord.js";
import { taskIn, withoutTasks } from "./internal/derivedOrion.js";
import { getOwn } from "../internal/records.js";
import { mergeTask } from "./internal/mergeTask.js";
import { ReadyQueue, type Queued } from "./internal/ReadyQueue.js";
import { freezeNewRecord, recordFacts, recordKeys } from "./internal/recordFacts.js";
import { countStatus, emptyCounts, stateFromCounts, type StatusCounts } from "./orionState.js";
import { TopologicalRanks } from "./internal/TopologicalRanks.js";
import { cancelledTask, finishedTask, startedTask } from "./internal/taskTransitions.js";
import {
  mergeOrionStates,
  type MergeConflict,
  type MergeOptions,
  type MergeReport,
} from "./mergeOrionStates.js";
import type { Dependency, OrionState, Task, TaskOrion } from "./types.js";
import { validateAndOrder, type IndexedOrion } from "./validateOrion.js";

/** Options of `createOrionRun`: those of the merge, used for every agent orion applied. */
export interface OrionRunOptions extends MergeOptions {
  /**
   * Keep, per version, what each change replaced, so that `snapshotAt(version)` can publish
   * any earlier version later (for values handed out lazily, like the orchestrator's progress
   * events). Costs one small entry per change; default `false`.
   */
  readonly keepHistory?: boolean;
}

/**
 * Which keys the agent's orion changed since the last one applied (added, edited or removed), when
 * the caller knows (from immer patches, or the task ids of an `ORION_MODIFIED`): then nothing
 * else is looked at. A key listed that did not change costs a comparison and changes nothing;
 * a changed key left out is missed, so list every one or give no hint.
 */
export interface AgentOrionChange {
  /** Task ids whose task objects differ from the last agent orion's. */
  readonly tasks?: Iterable<string>;
  /** Dependency ids whose dependency objects differ from the last agent orion's. */
  readonly dependencies?: Iterable<string>;
}

/** How many tasks a run has in each status. */
export interface OrionRunCounts {
  readonly total: number;
  readonly notStarted: number;
  readonly running: number;
  readonly completed: number;
  readonly failed: number;
  readonly cancelled: number;
}

/** A running orion: see the top of `OrionRun.ts` for the call sequence and the costs. */
export interface OrionRun {
  /** The orion's id. */
  readonly id: string;
  /** Goes up by one with every change; a snapshot is taken again only when it moved. */
  readonly version: number;
  /** The task as it is now. O(1). */
  task(taskId: string): Task | undefined;
  /** The orion's state (`deriveOrionState`), from counts kept up to date. O(1). */
  state(): OrionState;
  /** The status counts. O(1). */
  counts(): OrionRunCounts;
  /** Whether there is a task and every task is terminal (`isComplete`). O(1). */
  isFinished(): boolean;
  /** The ids of the dependencies that still hold task `taskId` back. O(its incoming edges). */
  waitingOn(taskId: string): readonly string[];
  /** Whether `taskId` is ready. O(1). */
  isReady(taskId: string): boolean;
  /** How many tasks are ready. O(1). */
  readyCount(): number;
  /** The best ready task (`getReadyTasks` order), without starting it. Amortised O(log ready). */
  peekReady(): Task | undefined;
  /** Every ready task, best first, as `getReadyTasks`. O(ready log ready). */
  ready(): readonly Task[];
  /** Starts up to `max` ready tasks, best first, and returns them running. */
  takeReady(max?: number, at?: number): readonly Task[];
  /**
   * `startTask`: the task, not started, becomes `running` from `at`; returns it.
   * @throws UnknownTaskError, IllegalTransitionError - as `startTask`.
   */
  start(taskId: string, at?: number): Task;
  /**
   * `completeTask`: a running task finishes; returns the tasks this made ready, best first.
   * @throws UnknownTaskError, IllegalTransitionError - as `completeTask`.
   */
  complete(taskId: string, outcome: TaskOutcome, at?: number): readonly Task[];
  /**
   * `cancelTask`: a task that has not finished is cancelled; returns the tasks this made ready.
   * @throws UnknownTaskError, IllegalTransitionError - as `cancelTask`.
   */
  cancel(taskId: string, at?: number): readonly Task[];
  /** Merges the agent's edited orion into the run by its difference from the last one. */
  applyAgentOrion(agentOrion: TaskOrion, hint?: AgentOrionChange): MergeReport;
  /** The run as a plain, read-only `TaskOrion` (task record frozen), memoised per version. */
  snapshot(): TaskOrion;
  /**
   * The run as it was at `version` (from `version`, read earlier), as `snapshot()` was then:
   * O(tasks + changes since). Only with `keepHistory`, or `version` the current one.
   * @throws RangeError - for a version that is not kept.
   */
  snapshotAt(version: number): TaskOrion;
  /** The dependencies into `taskId`, as they are now. O(its incoming edges). */
  dependenciesInto(taskId: string): readonly Dependency[];
}

/** An orion's fields without its task record. */
type BaseFields = Omit<TaskOrion, "tasks"> & { readonly tasks: undefined };

/**
 * How to go back from any version to an earlier one, in flat arrays (nothing allocated per
 * change, so a long run's history costs the young generation nothing): the change from version
 * v to v + 1 replaced `taskIds[i]`, which was `replaced[i]` (`undefined`: it did not exist), for
 * i from `starts[v]` to the next version's start; before it, the base's fields (its task record
 * must not be kept alive for this) were `bases[v]` and the state `states[v]`.
 */
interface History {
  readonly taskIds: string[];
  readonly replaced: (Task | undefined)[];
  readonly starts: number[];
  readonly bases: BaseFields[];
  readonly states: OrionState[];
}

const noReport: MergeReport = Object.freeze({
  preserved: [],
  conflicts: [],
  added: [],
  removed: [],
  newlyReady: [],
});

/**
 * Starts a run of `orion` (its current statuses are where the run starts). O(tasks +
 * dependencies).
 * @throws InvalidOrionError - when `orion` fails `validateOrion`.
 */
export function createOrionRun(orion: TaskOrion, options: OrionRunOptions = {}): OrionRun {
  const { validation, indexed } = validateAndOrder(orion);
  if (indexed === undefined) throw new InvalidOrionError(orion.id, validation.errors);
  const conditions = options.conditions;
  /** The last agent orion accepted (at first `orion`): top-level fields, edges, diff base. */
  let base = orion;
  /** Every task by id, with its edges: one lookup per step, then references only. */
  const nodes = new Map<string, TaskNode>();
  /**
   * Every edge by dependency id, made when an agent's edit first names a dependency: a run loads
   * its edges into the nodes' lists, and a run whose agent never touches an edge (most) never
   * pays for a map of 20,000 entries at 10,000 tasks (issue 15). Keyed by the id each edge read
   * when it was linked, as the map was when it was filled at link time: a dependency object
   * changed in place later (or an `id` getter) must not hide its edge from removal.
   */
  let edgesById: Map<string, Edge> | undefined;
  const edges = (): Map<string, Edge> => {
    if (edgesById === undefined) {
      edgesById = new Map();
      for (const node of nodes.values()) {
        for (const edge of node.out) edgesById.set(edge.id, edge);
      }
    }
    return edgesById;
  };
  const counts: StatusCounts = emptyCounts();
  const queue = new ReadyQueue<TaskNode>();
  let version = 0;
  let cached: { version: number; orion: TaskOrion } | undefined;
  /** With `keepHistory`: what each change replaced, to undo it (see `History`). */
  const history: History | undefined =
    options.keepHistory === true
      ? { taskIds: [], replaced: [], starts: [], bases: [], states: [] }
      : undefined;
  /** Whether the change in progress has its entry (the next `changed()` closes it). */
  let open = false;
  /** Off while the first load fills the empty run: version 0 has nothing to undo. */
  let recording = false;
  let past: { version: number; orion: TaskOrion } | undefined;
  /** `base` without its task record, made once per base. */
  let baseFields: { of: TaskOrion; fields: BaseFields } | undefined;
  const fieldsOfBase = (): BaseFields => {
    if (baseFields?.of !== base) {
      // `tasks` stays a key (undefined) so that snapshots keep the base's key order; it is not
      // read, since reading a derived orion's record would build it.
      baseFields = { of: base, fields: withoutTasks(base) as BaseFields };
    }
    return baseFields.fields;
  };
  /** Opens the change's history entry, once, with the base and state from before it. */
  const openEntry = (): void => {
    if (history === undefined || open) return;
    history.starts[version] = history.taskIds.length;
    history.bases[version] = fieldsOfBase();
    history.states[version] = stateFromCounts(counts);
    open = true;
  };
  /** Records what a change is about to replace. */
  const remember = (taskId: string, previous: Task | undefined): void => {
    if (history === undefined || !recording) return;
    openEntry();
    history.taskIds.push(taskId);
    history.replaced.push(previous);
  };

  /** A new node for `taskId` (which has none), with `task`. */
  const newNode = (taskId: string, task: Task | undefined): TaskNode => {
    const node: TaskNode = {
      id: taskId,
      task,
      out: NO_EDGES,
      in: NO_EDGES,
      waiting: 0,
      queued: -1,
      queuedPriority: 0,
    };
    nodes.set(taskId, node);
    return node;
  };
  /** The node of `taskId`, made (without a task) if there is none. */
  const nodeOf = (taskId: string): TaskNode => nodes.get(taskId) ?? newNode(taskId, undefined);
  /** Drops a node that has neither a task nor an edge left. */
  const prune = (node: TaskNode): void => {
    if (node.task === undefined && node.out.length === 0 && node.in.length === 0) {
      nodes.delete(node.id);
    }
  };

  /** Puts `node` in or out of the ready queue after anything it depends on changed. */
  const refresh = (node: TaskNode): void => {
    const task = node.task;
    if (task !== undefined && isNotStarted(task.status) && node.waiting === 0) queue.add(node);
    else queue.delete(node);
  };

  /** Whether `edge` holds now, against its source as it is now. */
  const holds = (edge: Edge): boolean =>
    isDependencySatisfied(edge.dependency, edge.from.task, conditions);

  /** Re-evaluates one edge against its source as it is now. */
  const judge = (edge: Edge): void => {
    const satisfied = holds(edge);
    if (satisfied === edge.satisfied) return;
    edge.satisfied = satisfied;
    edge.to.waiting += satisfied ? -1 : 1;
    refresh(edge.to);
  };

  /** Adds an edge between its ends' nodes; with `settle` false (a load) its target is refreshed later. */
  const link = (dependency: Dependency, from: TaskNode, to: TaskNode, settle: boolean): void => {
    const edge: Edge = { dependency, id: dependency.id, from, to, satisfied: true };
    edgesById?.set(edge.id, edge);
    edge.from.out = withEdge(edge.from.out, edge);
    edge.to.in = withEdge(edge.to.in, edge);
    if (!holds(edge)) {
      edge.satisfied = false;
      edge.to.waiting++;
    }
    if (settle) refresh(edge.to);
  };
  const addEdge = (dependency: Dependency): void => {
    link(dependency, nodeOf(dependency.fromTaskId), nodeOf(dependency.toTaskId), true);
  };

  const removeEdge = (id: string): void => {
    const edge = edges().get(id)!;
    edgesById!.delete(id);
    removeFrom(edge.from.out, edge);
    removeFrom(edge.to.in, edge);
    if (!edge.satisfied) edge.to.waiting--;
    refresh(edge.to);
    prune(edge.from);
    prune(edge.to);
  };

  /** Replaces (or adds, or with `undefined` removes) a node's task; its out-edges follow. */
  const setNodeTask = (node: TaskNode, task: Task | undefined): void => {
    const previous = node.task;
    remember(node.id, previous);
    if (previous !== undefined) countStatus(counts, previous.status, -1);
    node.task = task;
    if (task !== undefined) countStatus(counts, task.status, 1);
    for (const edge of node.out) judge(edge);
    refresh(node);
    if (task === undefined) prune(node);
  };
  const setTask = (taskId: string, task: Task | undefined): void => {
    const node = task === undefined ? nodes.get(taskId) : nodeOf(taskId);
    if (node !== undefined) setNodeTask(node, task);
  };

  /**
   * Loads a valid orion, as validated, into the empty structures: O(tasks + dependencies), each
   * task and edge placed once (an edge's ends by index, not by id) and every task put in or out
   * of the ready queue once, at the end.
   */
  const load = (valid: IndexedOrion): void => {
    const { keys, tasks, dependencies, from, to } = valid;
    const placed: TaskNode[] = [];
    for (let i = 0; i < keys.length; i++) {
      const task = tasks[i]!;
      remember(keys[i]!, undefined);
      countStatus(counts, task.status, 1);
      placed.push(newNode(keys[i]!, task));
    }
    for (let e = 0; e < dependencies.length; e++) {
      link(dependencies[e]!, placed[from[e]!]!, placed[to[e]!]!, false);
    }
    for (let i = 0; i < placed.length; i++) refresh(placed[i]!);
  };
  load(indexed);
  recording = true;
  /**
   * The topological ranks that check an agent's added edges for cycles, made when an agent
   * orion first needs them (a run whose agent adds no edge never pays for them), from the
   * order of the orion loaded last. Only that order waits for them: no closure may refer to
   * `orion` (or to a rebuild's merged orion), or V8 would keep it alive as long as the run.
   */
  let ranked: TopologicalRanks | undefined;
  let rankOrder: Pick<IndexedOrion, "keys" | "order"> | undefined = {
    keys: indexed.keys,
    order: indexed.order,
  };
  const ranks = (): TopologicalRanks => {
    if (ranked === undefined) {
      const { keys, order } = rankOrder!;
      ranked = new TopologicalRanks(Array.from(order, (i) => keys[i]!));
      rankOrder = undefined;
    }
    return ranked;
  };

  const existingNode = (taskId: string): TaskNode & { readonly task: Task } => {
    const node = nodes.get(taskId);
    if (node?.task === undefined) throw new UnknownTaskError(base.id, taskId);
    return node as TaskNode & { readonly task: Task };
  };
  const changed = (): void => {
    openEntry();
    open = false;
    version++;
  };
  /** The not-started targets of `node`'s edges that are ready now, best first. */
  const readyTargets = (node: TaskNode): readonly Task[] => {
    // No target comes twice: the run holds no duplicate edge (`validateOrion` rejects one in
    // an orion loaded, the plan of an agent edit one it would add).
    const ready: Task[] = [];
    for (const edge of node.out) if (edge.to.queued >= 0) ready.push(edge.to.task!);
    // A task makes a handful ready: an insertion sort allocates nothing, `sort` a work array.
    if (ready.length > 16) return ready.sort(compareReadyTasks);
    for (let i = 1; i < ready.length; i++) {
      const task = ready[i]!;
      let j = i;
      for (; j > 0 && compareReadyTasks(ready[j - 1]!, task) > 0; j--) ready[j] = ready[j - 1]!;
      ready[j] = task;
    }
    return ready;
  };

  const startNode = (node: TaskNode & { readonly task: Task }, at: number): Task => {
    const started = startedTask(node.task, node.id, at);
    setNodeTask(node, started);
    changed();
    return started;
  };

  const finish = (node: TaskNode, task: Task): readonly Task[] => {
    setNodeTask(node, task);
    changed();
    return readyTargets(node);
  };

  const run: OrionRun = {
    get id() {
      return base.id;
    },
    get version() {
      return version;
    },
    task: (taskId) => nodes.get(taskId)?.task,
    state: () => stateFromCounts(counts),
    counts: () => ({
      total: counts.total,
      notStarted:
        counts.total - counts.running - counts.completed - counts.failed - counts.cancelled,
      running: counts.running,
      completed: counts.completed,
      failed: counts.failed,
      cancelled: counts.cancelled,
    }),
    isFinished: () =>
      counts.total > 0 && counts.completed + counts.failed + counts.cancelled === counts.total,
    waitingOn: (taskId) =>
      (nodes.get(taskId)?.in ?? []).filter((e) => !e.satisfied).map((e) => e.dependency.id),
    isReady: (taskId) => (nodes.get(taskId)?.queued ?? -1) >= 0,
    readyCount: () => queue.size,
    peekReady: () => queue.peek()?.task,
    ready: () => queue.sorted().map((node) => node.task!),
    takeReady: (max = Number.POSITIVE_INFINITY, at = Date.now()) => {
      const taken: Task[] = [];
      for (let node = queue.peek(); node !== undefined && taken.length < max; node = queue.peek()) {
        taken.push(startNode(node as TaskNode & { readonly task: Task }, at));
      }
      return taken;
    },
    start: (taskId, at = Date.now()) => startNode(existingNode(taskId), at),
    complete: (taskId, outcome, at = Date.now()) => {
      const node = existingNode(taskId);
      return finish(node, finishedTask(node.task, taskId, outcome, at));
    },
    cancel: (taskId, at = Date.now()) => {
      const node = existingNode(taskId);
      return finish(node, cancelledTask(node.task, taskId, at));
    },
    applyAgentOrion: (agentOrion, hint) => {
      if (agentOrion === base) return noReport;
      const taskKeys =
        hint?.tasks !== undefined ? new Set(hint.tasks) : changedKeys(agentOrion.tasks, base.tasks);
      const edgeKeys =
        hint?.dependencies !== undefined
          ? new Set(hint.dependencies)
          : changedKeys(agentOrion.dependencies, base.dependencies);
      const plan = planMerge(agentOrion, taskKeys, edgeKeys);
      if (plan === undefined) {
        // A change the quick checks could not accept: the whole-orion merge decides (and names
        // every issue); if it accepts after all, the run restarts from its result.
        const full = mergeOrionStates(agentOrion, run.snapshot(), options);
        if (full.report.error !== undefined) return full.report;
        // The merge's quick checks find tasks by `Object.hasOwn`, validation by their keys: a
        // task the record does not enumerate passes the one, not the other. The run loads
        // only what validates, and rejects the rest as the merge rejects an invalid orion.
        const { validation, indexed: valid } = validateAndOrder(full.orion);
        if (valid === undefined) {
          return { ...noReport, error: new InvalidOrionError(agentOrion.id, validation.errors) };
        }
        rebuild(valid, agentOrion);
        return full.report;
      }
      return applyPlan(agentOrion, plan);
    },
    snapshot: () => {
      if (cached?.version === version) return cached.orion;
      const record = createRecord<Task>();
      for (const node of nodes.values()) if (node.task !== undefined) record[node.id] = node.task;
      // The merge is a produce over the agent's orion: its other fields, its edge record.
      const orion = publishedOrion(fieldsOfBase(), stateFromCounts(counts), record, counts.total);
      cached = { version, orion };
      return orion;
    },
    snapshotAt: (at) => {
      if (at === version) return run.snapshot();
      if (past?.version === at) return past.orion;
      if (history === undefined || !Number.isInteger(at) || at < 0 || at > version) {
        throw new RangeError(`version ${String(at)} of orion ${base.id} is not kept`);
      }
      // Walk back from now: O(tasks + changes since `at`). Tasks a later change removed come
      // back at the end of the key order.
      const then = new Map<string, Task>();
      for (const node of nodes.values()) if (node.task !== undefined) then.set(node.id, node.task);
      const { taskIds, replaced, starts } = history;
      for (let i = taskIds.length - 1; i >= starts[at]!; i--) {
        const task = replaced[i];
        if (task === undefined) then.delete(taskIds[i]!);
        else then.set(taskIds[i]!, task);
      }
      const record = createRecord<Task>();
      for (const [taskId, task] of then) record[taskId] = task;
      const orion = publishedOrion(history.bases[at]!, history.states[at]!, record, then.size);
      past = { version: at, orion };
      return orion;
    },
    dependenciesInto: (taskId) => (nodes.get(taskId)?.in ?? []).map((e) => e.dependency),
  };

  /** What an agent orion changes, checked; `undefined` when it must go to the full merge. */
  interface Plan {
    readonly setTasks: readonly (readonly [string, Task | undefined])[];
    readonly removeEdges: readonly string[];
    readonly addEdges: readonly Dependency[];
    readonly report: Omit<MergeReport, "newlyReady">;
    readonly undo: Map<string, number | undefined>;
  }

  const planMerge = (
    agent: TaskOrion,
    taskKeys: ReadonlySet<string>,
    edgeKeys: ReadonlySet<string>,
  ): Plan | undefined => {
    const preserved: string[] = [];
    const conflicts: MergeConflict[] = [];
    const added: string[] = [];
    const removed: string[] = [];
    const setTasks: [string, Task | undefined][] = [];
    const after = new Map<string, Task | undefined>(); // tasks as the plan leaves them
    for (const taskId of taskKeys) {
      const agentTask = taskIn(agent, taskId);
      const current = nodes.get(taskId)?.task;
      let merged: Task | undefined;
      if (agentTask === undefined) {
        if (current === undefined) continue;
        if (isNotStarted(current.status) || options.dropRemovedTasks === true) {
          removed.push(taskId);
          if (!isNotStarted(current.status)) {
            conflicts.push(removedStarted(taskId, current, "dropped"));
          }
          merged = undefined;
        } else {
          conflicts.push(removedStarted(taskId, current, "kept"));
          preserved.push(taskId);
          continue;
        }
      } else if (current === undefined) {
        added.push(taskId);
        merged = agentTask;
      } else {
        merged =
          agentTask === current
            ? current
            : mergeTask(taskId, agentTask, current, preserved, conflicts);
        if (merged === current) continue;
      }
      if (merged !== undefined && (merged.id !== taskId || !isTaskStatus(merged.status)))
        return undefined;
      setTasks.push([taskId, merged]);
      after.set(taskId, merged);
    }
    const exists = (taskId: string): boolean =>
      after.has(taskId) ? after.get(taskId) !== undefined : nodes.get(taskId)?.task !== undefined;

    const removeEdges: string[] = [];
    const addEdges: Dependency[] = [];
    for (const key of edgeKeys) {
      const mine = edges().get(key)?.dependency;
      const theirs = getOwn(agent.dependencies, key);
      if (mine === theirs) continue;
      if (theirs !== undefined && theirs.id !== key) return undefined;
      if (mine !== undefined) removeEdges.push(key);
      if (theirs !== undefined) addEdges.push(theirs);
    }
    const gone = new Set(removeEdges);
    // Prospective adjacency: current edges minus removed, plus added.
    const addedOut = new Map<string, Dependency[]>();
    const addedIn = new Map<string, Dependency[]>();
    const successors = function* (taskId: string): Iterable<string> {
      for (const e of nodes.get(taskId)?.out ?? []) if (!gone.has(e.dependency.id)) yield e.to.id;
      for (const d of addedOut.get(taskId) ?? []) yield d.toTaskId;
    };
    const predecessors = function* (taskId: string): Iterable<string> {
      for (const e of nodes.get(taskId)?.in ?? []) if (!gone.has(e.dependency.id)) yield e.from.id;
      for (const d of addedIn.get(taskId) ?? []) yield d.fromTaskId;
    };
    // A removed task must take every edge of its own with it.
    for (const [taskId, task] of after) {
      if (task !== undefined) continue;
      const node = nodes.get(taskId);
      for (const e of node?.out ?? []) if (!gone.has(e.dependency.id)) return undefined;
      for (const e of node?.in ?? []) if (!gone.has(e.dependency.id)) return undefined;
    }
    const undo = new Map<string, number | undefined>();
    const reject = (): undefined => {
      ranks().restore(undo);
      return undefined;
    };
    for (const [taskId, task] of after) if (task !== undefined) ranks().addTask(taskId, undo);
    for (const dependency of addEdges) {
      const { fromTaskId: from, toTaskId: to } = dependency;
      if (!isDependencyType(dependency.type) || from === to || !exists(from) || !exists(to)) {
        return reject();
      }
      for (const target of successors(from)) if (target === to) return reject(); // duplicate
      addTo(addedOut, from, dependency);
      addTo(addedIn, to, dependency);
      if (!ranks().addEdge(from, to, successors, predecessors, undo)) return reject();
    }
    return {
      setTasks,
      removeEdges,
      addEdges,
      report: { preserved, conflicts, added, removed },
      undo,
    };
  };

  const applyPlan = (agent: TaskOrion, plan: Plan): MergeReport => {
    // Whose readiness may change: the tasks set, the ends of the edges changed, and the targets
    // of the tasks set. Remember who was ready among them.
    const candidates = new Set<string>();
    for (const [taskId] of plan.setTasks) {
      candidates.add(taskId);
      for (const e of nodes.get(taskId)?.out ?? []) candidates.add(e.to.id);
    }
    for (const id of plan.removeEdges) candidates.add(edges().get(id)!.to.id);
    for (const dependency of plan.addEdges) candidates.add(dependency.toTaskId);
    const wasReady = new Set([...candidates].filter((id) => run.isReady(id)));

    for (const id of plan.removeEdges) removeEdge(id);
    for (const [taskId, task] of plan.setTasks) {
      setTask(taskId, task);
      if (task === undefined) ranks().deleteTask(taskId);
    }
    for (const dependency of plan.addEdges) addEdge(dependency);
    openEntry();
    base = agent;
    changed();
    const newlyReady: Task[] = [];
    for (const id of candidates)
      if (run.isReady(id) && !wasReady.has(id)) newlyReady.push(nodes.get(id)!.task!);
    return { ...plan.report, newlyReady: newlyReady.sort(compareReadyTasks) };
  };

  /** Starts over from a merged orion, validated (the rare path after a full merge). */
  const rebuild = (merged: IndexedOrion, agent: TaskOrion): void => {
    // Remembered whole: edges come from `base`, so the undo needs only the tasks and base.
    openEntry();
    for (const id of [...edges().keys()]) removeEdge(id);
    for (const node of [...nodes.values()]) setNodeTask(node, undefined);
    load(merged);
    ranked = undefined;
    rankOrder = { keys: merged.keys, order: merged.order };
    base = agent;
    changed();
  };

  return run;
}

/** A task of the run (or an id only edges name, in the middle of a change) and its edges. */
interface TaskNode extends Queued {
  task: Task | undefined;
  /** Its edges out and in, in the order they were added (see `withEdge`). */
  out: Edge[];
  in: Edge[];
  /** How many edges of `in` are not satisfied now. */
  waiting: number;
}

/** A dependency of the run, with its two ends and whether it holds now. */
interface Edge {
  readonly dependency: Dependency;
  /**
   * `dependency.id` as read when the edge was linked: the key the run finds it by, whatever
   * the object says later (see `edges`).
   */
  readonly id: string;
  readonly from: TaskNode;
  readonly to: TaskNode;
  satisfied: boolean;
}

/** The orion of `fields` in `state`, with `record` (filled, `size` keys) frozen as its tasks. */
function publishedOrion(
  fields: BaseFields,
  state: OrionState,
  record: Record<string, Task>,
  size: number,
): TaskOrion {
  recordFacts(freezeNewRecord(record)).keyCount = size;
  return { ...fields, state, tasks: record, dependencies: fields.dependencies };
}

/**
 * A node's edges while it has none, shared by every such node: never added to in place, since
 * `withEdge` replaces a short list. Not frozen: a frozen array has its own elements kind, and
 * every loop over a node's edges would see two (measured: more instructions per task).
 */
const NO_EDGES: Edge[] = [];

/**
 * `list` with `edge` added at the end. A task has a handful of edges, and a `push` onto a short
 * array reserves 17 slots: every node of a large orion carried two such arrays through every
 * scavenge. So a list of up to four is made at its exact size; a longer one grows in place.
 */
function withEdge(list: Edge[], edge: Edge): Edge[] {
  // Literals, not a spread: a spread goes through the iterator protocol (measured: more
  // instructions than the `push` it replaces).
  switch (list.length) {
    case 0:
      return [edge];
    case 1:
      return [list[0]!, edge];
    case 2:
      return [list[0]!, list[1]!, edge];
    case 3:
      return [list[0]!, list[1]!, list[2]!, edge];
    default:
      list.push(edge);
      return list;
  }
}

function removeFrom<T>(list: T[], item: T): void {
  const at = list.indexOf(item);
  if (at >= 0) list.splice(at, 1);
}

function removedStarted(taskId: string, task: Task, resolution: "kept" | "dropped"): MergeConflict {
  return { kind: "removed_started_task", taskId, status: task.status, resolution };
}

function addTo(map: Map<string, Dependency[]>, key: string, dependency: Dependency): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [dependency]);
  else list.push(dependency);
}

/**
 * The keys whose values differ (by identity) between two records, added and removed keys
 * included. Free when the records are the same object; otherwise one walk of `next`'s keys, and
 * of `previous`'s only when some key of it is missing from `next`.
 */
function changedKeys<T>(
  next: { readonly [key: string]: T },
  previous: { readonly [key: string]: T },
): Set<string> {
  const keys = new Set<string>();
  if (next === previous) return keys;
  const nextKeys = recordKeys(next);
  let shared = 0;
  for (const key of nextKeys) {
    const before = getOwn(previous, key);
    if (before !== undefined) shared++;
    if (before !== next[key]) keys.add(key);
  }
  const previousCount = recordFacts(previous).keyCount ?? recordKeys(previous).length;
  if (shared !== previousCount) {
    for (const key of recordKeys(previous)) if (!Object.hasOwn(next, key)) keys.add(key);
  }
  return keys;
}
