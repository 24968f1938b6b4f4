/**
 * One orchestration of an orion in virtual time, with or without the synchronizer's gate:
 * the engine behind `orion-sync demo` and `orion-sync simulate`.
 */
import { map, timer } from "rxjs";
import { TestScheduler } from "rxjs/testing";
import {
  checkConcurrency,
  createScriptedAgent,
  type AgentDeclare,
  type AgentEdit,
} from "../agent/createScriptedAgent.js";
import { createEventBus } from "../bus.js";
import type { TaskEvent } from "../events.js";
import { orchestrate } from "../orchestrator/orchestrateOrion.js";
import type { OrchestrationResult, TaskHold } from "../orchestrator/types.js";
import { deriveOrion, taskIn } from "../orion/internal/derivedOrion.js";
import { noteOrionChange } from "../orion/internal/orionChanges.js";
import { dataOnlyRecord } from "../orion/internal/recordFacts.js";
import type { OrionRun } from "../orion/OrionRun.js";
import type { Dependency, Task, TaskOrion } from "../orion/types.js";
import { OrionModificationSynchronizer } from "../synchronizer.js";
import { hashSeed, mulberry32, randomInt } from "./random.js";
import type {
  HeldPeriod,
  SimulatedModification,
  SimulatedTask,
  SimulationReport,
} from "./types.js";

/** An inclusive range of virtual milliseconds: `[min, max]`. */
export type MsRange = readonly [min: number, max: number];

/** Options of {@link simulate}. */
export interface SimulateOptions {
  /** Whether the orchestrator goes through an `OrionModificationSynchronizer`'s gate. */
  readonly gated: boolean;
  /**
   * With the gate: scoped holds (issue 16) instead of the whole-orion gate. `'downstream'`:
   * a modification holds the completed task's descendants; `'declared'`: it holds the whole
   * orion until the agent declares its scope (`declare`), then only that.
   */
  readonly scope?: "downstream" | "declared";
  /**
   * The agent's declared scope per completion (see `AgentDeclare`), in every run given it.
   * Default with `scope: 'declared'`: {@link declareDependents}.
   */
  readonly declare?: AgentDeclare;
  /**
   * Whether `task`, starting now, starts stale, given the ids of its predecessors. Default
   * (for {@link markDependents}): it lacks the `after_<pred>` mark of some predecessor. An
   * agent with another edit says what its edit leaves on a task it was done with.
   */
  readonly isStale?: (task: Task, predecessors: readonly string[]) => boolean;
  /** Seeds the per-task durations and the per-batch agent latencies. */
  readonly seed: number;
  /**
   * How long the agent thinks about each batch of completions, drawn per batch (with
   * `agentConcurrency` above 1: per completion, when its answer starts).
   */
  readonly agentLatency: MsRange;
  /**
   * How many completions the agent answers at once (the scripted agent's `concurrency`).
   * Default 1: one batch at a time, like UFO's agent. Above 1 or `Infinity`: each completion on
   * its own after its own latency, like an LLM service that answers in parallel; each answer's
   * edit applies to the agent's view when it is published. Not a positive integer or
   * `Infinity`: a `RangeError`.
   */
  readonly agentConcurrency?: number;
  /** How long each task runs, drawn per task id (the same in the gated and ungated runs). */
  readonly taskDuration: MsRange;
  /** The synchronizer's modification timeout, in ms (gated runs). Default: the synchronizer's. */
  readonly modificationTimeout?: number;
  /** The agent's edit. Default {@link markDependents}. It must keep marking dependents. */
  readonly edit?: AgentEdit;
  /**
   * Called as virtual time advances (every `progressStep` virtual ms), for a live progress
   * line. The simulation stays synchronous.
   */
  readonly onProgress?: (progress: SimulationProgress) => void;
  /** Virtual ms between two `onProgress` calls. Default 10. */
  readonly progressStep?: number;
}

/** Where a simulation is: what `onProgress` receives. */
export interface SimulationProgress {
  /** Whether this is the run with the gate. */
  readonly gated: boolean;
  /** The scoped run's scopes, if it is one. */
  readonly scope?: "downstream" | "declared";
  /** Tasks that ended (completed or failed) so far. */
  readonly done: number;
  /** The orion's task count. */
  readonly total: number;
  /** Modifications the agent owes now. */
  readonly pending: number;
  /** Virtual ms held at the gate so far. */
  readonly heldMs: number;
  /** Virtual ms since the start. */
  readonly elapsed: number;
}

/**
 * The default edit: on each completion, the agent marks every dependent of the completed
 * task with `params["after_<taskId>"] = true`, so a start without the mark is stale.
 *
 * It costs the tasks it marks, whatever the orion's size: the returned orion's `tasks` is an
 * enumerable getter that builds the plain, frozen record when first read (spread, JSON,
 * `structuredClone`, immer and `console.log` see that record). Assigning `tasks` on it throws
 * in strict code.
 */
export const markDependents: AgentEdit = (event, current) =>
  current ? markAll([event], current, false) : undefined;

/**
 * The default declaration: the completed task's direct dependents in the agent's view, the
 * tasks {@link markDependents} (and the demo's edit) may change. Tasks the agent adds are in
 * scope anyway.
 */
export const declareDependents: AgentDeclare = (event, current) =>
  current === undefined
    ? undefined
    : (outgoingOf(current.dependencies, false).get(event.taskId) ?? []).map((d) => d.toTaskId);

/** Dependencies by source task, per dependency record (the edit never changes the record). */
const outgoingIndex = new WeakMap<object, Map<string, Dependency[]>>();

function outgoingOf(
  dependencies: TaskOrion["dependencies"],
  trusted: boolean,
): Map<string, Dependency[]> {
  let index = outgoingIndex.get(dependencies);
  if (index === undefined) {
    index = new Map();
    for (const dep of Object.values(dependencies)) {
      const list = index.get(dep.fromTaskId);
      if (list === undefined) index.set(dep.fromTaskId, [dep]);
      else list.push(dep);
    }
    // Only a record that cannot change may be remembered: a frozen one, or one of a simulation
    // in progress (synchronous; the default edit never edits the dependency record).
    if (trusted || Object.isFrozen(dependencies)) outgoingIndex.set(dependencies, index);
  }
  return index;
}

/**
 * {@link markDependents} for several completions in order: the same orion as marking them one by
 * one, in O(marked tasks) whatever the orion's size. The result's task record is built only if
 * something reads it (`deriveOrion`): the synchronizer checks, and the orchestrator merges, an
 * answer by the tasks it marked, which it notes.
 */
function markAll(events: readonly TaskEvent[], current: TaskOrion, trusted: boolean): TaskOrion {
  const outgoing = outgoingOf(current.dependencies, trusted);
  const marked = new Map<string, Task>();
  for (const event of events) {
    for (const dep of outgoing.get(event.taskId) ?? []) {
      const target = marked.get(dep.toTaskId) ?? taskIn(current, dep.toTaskId);
      if (target) {
        marked.set(dep.toTaskId, {
          ...target,
          params: { ...target.params, [`after_${event.taskId}`]: true },
        });
      }
    }
  }
  if (marked.size === 0) return current;
  const next = deriveOrion(current, marked);
  noteOrionChange(next, current, { tasks: [...marked.keys()] });
  return next;
}

/** {@link markDependents} inside a simulation, whose dependency records the edit never changes. */
const markOne: AgentEdit = (event, current) =>
  current ? markAll([event], current, true) : undefined;

/**
 * The default edit as the agent runs it: each completion of a batch but the last returns the
 * view unchanged and is remembered; the last marks them all at once. The published orion is the
 * one `markDependents` one by one would give (intermediate views are never published).
 */
function batchedMarkDependents(): {
  readonly edit: AgentEdit;
  readonly startBatch: (batch: readonly TaskEvent[]) => void;
} {
  let last: TaskEvent | undefined;
  let marks: TaskEvent[] = [];
  return {
    startBatch: (batch) => {
      last = batch[batch.length - 1];
    },
    edit: (event, current) => {
      if (current === undefined) return undefined;
      marks.push(event);
      if (event !== last) return current;
      const events = marks;
      marks = [];
      return markAll(events, current, true);
    },
  };
}

/**
 * `orion` with records the library built and froze (O(n) once, the caller's orion untouched),
 * so that facts about them (keys, checks) are remembered for the whole simulation, and the
 * agent's answers can derive from them without a copy.
 */
function frozenCopy(orion: TaskOrion): TaskOrion {
  return {
    ...orion,
    tasks: dataOnlyRecord(orion.tasks),
    dependencies: dataOnlyRecord(orion.dependencies),
  };
}

function checkRange(name: string, range: MsRange): void {
  const [min, max] = range;
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < 0 || max < min) {
    throw new RangeError(
      `${name} must be integers 0 <= min <= max, got [${String(min)}, ${String(max)}]`,
    );
  }
}

/**
 * Runs `orion` to the end in virtual time (a `TestScheduler`, flushed: synchronous) with a
 * scripted agent, and reports what happened. Deterministic for a given `seed`.
 *
 * - A task *starts stale* when, at its start, it lacks the `after_<pred>` mark (see
 *   {@link markDependents}) for some predecessor it has in the orion it started from.
 * - `held`: the intervals during which the synchronizer had a modification pending. The
 *   orchestrator triggers scheduling on every completion, and every completion registers a
 *   pending modification first, so these are exactly the intervals in which the trigger
 *   waited at the gate (`heldMs` is their total; ungated runs hold nothing).
 * - `modifications[i].startedAt`: the earliest completion among its `onTaskIds`.
 *
 * @throws InvalidOrionError if `orion` fails `validateOrion`; RangeError for a bad range.
 */
export function simulate(orion: TaskOrion, options: SimulateOptions): SimulationReport {
  checkRange("agentLatency", options.agentLatency);
  checkRange("taskDuration", options.taskDuration);
  const { gated, seed } = options;
  const scope = gated ? options.scope : undefined;
  if (scope !== undefined && scope !== "downstream" && scope !== "declared") {
    throw new RangeError(`scope must be 'downstream' or 'declared', got ${String(scope)}`);
  }
  const declare = options.declare ?? (options.scope === "declared" ? declareDependents : undefined);
  const concurrency = checkConcurrency(options.agentConcurrency, "agentConcurrency");
  orion = frozenCopy(orion);
  const scheduler = new TestScheduler(() => undefined);
  scheduler.maxFrames = Number.POSITIVE_INFINITY;
  const bus = createEventBus();
  // Both runs track the agent's edits and merge them before starting a task; only the gated
  // run waits for a modification in progress. So "stale" counts exactly the race.
  const synchronizer = new OrionModificationSynchronizer({
    scheduler,
    ...(scope === "downstream" ? { scope: "downstream" as const } : {}),
    ...(options.modificationTimeout === undefined
      ? {}
      : { modificationTimeout: options.modificationTimeout }),
  });
  bus.subscribe(synchronizer);

  const held: HeldPeriod[] = [];
  /** The total of `held` so far, kept so that a progress line does not sum every period. */
  let heldTotal = 0;
  let heldFrom: number | undefined;
  // The whole-orion gate holds whenever something is pending; scoped runs hold per task (the
  // orchestrator's taskHolds).
  const stateSubscription = synchronizer.state$.subscribe((state) => {
    if (!gated || scope !== undefined) return;
    if (state.pending.size > 0 && heldFrom === undefined) heldFrom = scheduler.now();
    else if (state.pending.size === 0 && heldFrom !== undefined) {
      if (scheduler.now() > heldFrom) {
        held.push({ from: heldFrom, to: scheduler.now() });
        heldTotal += scheduler.now() - heldFrom;
      }
      heldFrom = undefined;
    }
  });

  const latencies = mulberry32(seed);
  // The batched default edit assumes one batch at a time; a concurrent agent answers one
  // completion per answer, so it marks that one's dependents (a record the simulation trusts).
  const batched =
    options.edit === undefined && concurrency === 1 ? batchedMarkDependents() : undefined;
  const agent = createScriptedAgent(bus, {
    scheduler,
    latency: (batch) => {
      batched?.startBatch(batch);
      return randomInt(latencies, options.agentLatency);
    },
    // Without an edit of the caller's, `batched` is there exactly when concurrency is 1.
    edit: options.edit ?? batched?.edit ?? markOne,
    ...(concurrency === 1 ? {} : { concurrency }),
    ...(declare === undefined ? {} : { declare }),
    onError: () => undefined,
  });
  const endedAt = new Map<string, number>();
  const modifications: SimulatedModification[] = [];
  agent.modifications$.subscribe((m) => {
    const causes = m.onTaskIds.map((id) => endedAt.get(id) ?? scheduler.now());
    modifications.push({
      onTaskIds: [...m.onTaskIds],
      startedAt: Math.min(...causes),
      publishedAt: scheduler.now(),
    });
  });

  const staleIds = new Set<string>();
  let total = Object.keys(orion.tasks).length;
  let result: OrchestrationResult | undefined;
  let failure: { error: unknown } | undefined;
  // The orchestrator's run, read in each progress event (synchronously, so it is the orion
  // right after the event): the per-event checks cost the task's own edges, not the orion.
  let run: OrionRun | undefined;
  orchestrate(
    orion,
    {
      bus,
      scheduler,
      synchronizer,
      gate: gated,
      ...(scope === undefined ? {} : { scoped: true }),
      executeTask: (task) => {
        const ms = randomInt(mulberry32(hashSeed(seed, task.id)), options.taskDuration);
        return ms === 0 ? null : timer(ms, scheduler).pipe(map(() => null));
      },
    },
    { onRun: (r) => (run = r) },
  ).subscribe({
    next: (p) => {
      if (p.kind === "finished") {
        result = p.result;
        return;
      }
      const { event } = p;
      if (run === undefined) return;
      total = run.counts().total;
      if (event.type === "TASK_COMPLETED" || event.type === "TASK_FAILED") {
        endedAt.set(event.taskId, p.at);
      } else if (event.type === "TASK_STARTED") {
        const task = run.task(event.taskId);
        if (options.isStale !== undefined) {
          const predecessors = run.dependenciesInto(event.taskId).map((d) => d.fromTaskId);
          if (task !== undefined && options.isStale(task, predecessors)) {
            staleIds.add(event.taskId);
          }
        } else {
          for (const dep of run.dependenciesInto(event.taskId)) {
            if (task?.params[`after_${dep.fromTaskId}`] !== true) staleIds.add(event.taskId);
          }
        }
      }
    },
    error: (error: unknown) => (failure = { error }),
  });
  try {
    if (options.onProgress === undefined) {
      scheduler.flush();
    } else {
      // Advance virtual time in steps, reporting after each, until nothing is scheduled.
      const step = options.progressStep ?? 10;
      const startedAt = scheduler.now();
      while (result === undefined && failure === undefined && scheduler.actions.length > 0) {
        scheduler.maxFrames = scheduler.now() + step;
        scheduler.schedule(() => undefined, step);
        scheduler.flush();
        const now = scheduler.now();
        const openHeld = heldFrom === undefined ? 0 : now - heldFrom;
        options.onProgress({
          gated,
          done: endedAt.size,
          total,
          pending: synchronizer.getPendingCount(),
          heldMs: heldTotal + openHeld,
          ...(scope === undefined ? {} : { scope }),
          elapsed: now - startedAt,
        });
      }
      scheduler.maxFrames = Number.POSITIVE_INFINITY;
      scheduler.flush();
    }
  } finally {
    agent.stop();
    stateSubscription.unsubscribe();
    synchronizer.dispose();
  }
  if (failure) throw failure.error;
  if (result === undefined) throw new Error("the simulated orchestration did not finish");

  const start = result.startedAt;
  const timings = new Map(result.timings.map((t) => [t.taskId, t]));
  // A task the agent changed after it started, outside every scope it answered, ran on a
  // definition the agent was still changing: stale, whatever its marks say.
  for (const violation of result.scopeViolations) staleIds.add(violation.taskId);
  const tasks: SimulatedTask[] = Object.values(result.orion.tasks).map((task) => {
    const timing = timings.get(task.id);
    return {
      id: task.id,
      name: task.name,
      status: task.status,
      ...(timing ? { startedAt: timing.startedAt - start } : {}),
      ...(timing?.endedAt === undefined ? {} : { endedAt: timing.endedAt - start }),
      stale: staleIds.has(task.id),
    };
  });
  const heldPeriods = (scope === undefined ? held : union(result.taskHolds)).map((h) => ({
    from: h.from - start,
    to: h.to - start,
  }));
  let lastTaskEnd = 0;
  for (const t of tasks)
    if (t.endedAt !== undefined && t.endedAt > lastTaskEnd) lastTaskEnd = t.endedAt;
  const lastAnswer = modifications.reduce((m, x) => Math.max(m, x.publishedAt - start), 0);
  return {
    orionId: orion.id,
    ...(orion.name === undefined ? {} : { orionName: orion.name }),
    gated,
    ...(scope === undefined ? {} : { scope }),
    seed,
    tasks,
    modifications: modifications.map((m) => ({
      ...m,
      startedAt: m.startedAt - start,
      publishedAt: m.publishedAt - start,
    })),
    held: heldPeriods,
    staleStarts: staleIds.size,
    makespan: result.endedAt - start,
    lastTaskEndedAt: lastTaskEnd,
    lastAnswerAt: lastAnswer,
    scopeViolations: result.scopeViolations.map((v) => ({
      taskId: v.taskId,
      change: v.change,
      onTaskId: v.modification.taskId,
      at: v.at - start,
    })),
    taskHolds: result.taskHolds.map((h) => ({
      taskId: h.taskId,
      from: h.from - start,
      to: h.to - start,
    })),
    heldMs: heldPeriods.reduce((sum, h) => sum + (h.to - h.from), 0),
    timeouts: result.statistics?.timeoutModifications ?? 0,
    outcome: result.outcome,
  };
}

/** The periods in which some task was held: the union of `holds`, in time order. */
function union(holds: readonly TaskHold[]): HeldPeriod[] {
  const sorted = [...holds].sort((a, b) => a.from - b.from);
  const out: { from: number; to: number }[] = [];
  for (const h of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && h.from <= last.to) last.to = Math.max(last.to, h.to);
    else out.push({ from: h.from, to: h.to });
  }
  return out;
}
