import { filter, Observable, type Observer, type SchedulerLike, type Subscribable } from "rxjs";
import {
  createScriptedAgent,
  type AgentBus,
  type ScriptedAgent,
} from "../src/agent/createScriptedAgent.js";
import {
  isTaskEnded,
  type OrionEvent,
  type OrionModifiedEvent,
  type TaskEvent,
} from "../src/events.js";
import type { TaskOrion } from "../src/orion/types.js";

/**
 * The scripted edit for one task: gets the agent's current view of the orion (`undefined`
 * before any `ORION_STARTED`) and the completion, returns the edited orion, or `undefined`
 * for "no change". The returned orion must keep the event's `orionId` as its `id`.
 */
export type TestAgentEdit = (
  orion: TaskOrion | undefined,
  event: TaskEvent,
) => TaskOrion | undefined;

/** A plain `Subject<OrionEvent>` (or anything subscribable with `next`) as a bus. */
type SubjectLike = Subscribable<OrionEvent> & Pick<Observer<OrionEvent>, "next">;

function asAgentBus(bus: AgentBus | SubjectLike): AgentBus {
  if ("events$" in bus) return bus;
  return {
    events$: new Observable<OrionEvent>((subscriber) => bus.subscribe(subscriber)),
    publish: (event) => bus.next(event),
  };
}

/** Options of {@link createTestAgent}. */
export interface TestAgentOptions {
  /** Where the latency timers run: the test's scheduler (`m.scheduler`, the `TestScheduler`). */
  readonly scheduler: SchedulerLike;
  /** How long the agent thinks about a task, in ms of `scheduler`'s clock (finite, `>= 0`). */
  readonly latency: number;
  /**
   * Per-task latencies that override `latency`, by task id. A batch (the completions that
   * arrived while the agent was busy) takes the longest latency of its tasks.
   */
  readonly latencies?: Readonly<Record<string, number>>;
  /** Per-task edits, by task id; tasks without one are answered with "no change". */
  readonly edits?: Readonly<Record<string, TestAgentEdit>>;
  /**
   * Tasks the agent never answers: their modifications stay pending until they time out,
   * to exercise timeouts. Their completions are listed in {@link TestAgent.ignored}.
   */
  readonly silentOn?: readonly string[];
  /** Only this orion's events are handled. Default: every orion's. */
  readonly orionId?: string;
  /**
   * The id of the agent's `n`-th answer to an orion. Default: none, so expected marble
   * values stay short; answers still name the completions' ids (`onEventIds`) when every
   * completion of a batch has one.
   */
  readonly eventId?: (orionId: string, n: number) => string;
}

/** What {@link createTestAgent} returns: a scripted agent, and what it did. */
export interface TestAgent extends ScriptedAgent {
  /** Every `ORION_MODIFIED` the agent published, in order. */
  readonly answers: readonly OrionModifiedEvent[];
  /** The completions it stayed silent on (`silentOn`), in order. */
  readonly ignored: readonly TaskEvent[];
  /**
   * What went wrong without stopping the agent (an edit that threw, a `publish` that threw),
   * in order. A test usually expects it to stay empty.
   */
  readonly errors: readonly unknown[];
}

/**
 * A scripted agent for tests, on the test's scheduler: it answers each `TASK_COMPLETED` /
 * `TASK_FAILED` on `bus` (a bus, or a plain `Subject<OrionEvent>`) with `ORION_MODIFIED` after a fixed latency per task, applying the
 * scripted edit of each task, batching what arrives while it works (like UFO's agent, see
 * `createScriptedAgent`), and stays silent on the tasks of `silentOn`. It records its
 * answers, the completions it ignored, and its errors (nothing is logged).
 *
 * @example
 * const sync = createTestSynchronizer(testScheduler, { modificationTimeout: 100 });
 * const agent = createTestAgent(sync.bus, {
 *   scheduler: testScheduler,
 *   latency: 5,
 *   latencies: { slow: 40 },
 *   edits: { a: (orion) => orion && { ...orion, name: "edited" } },
 *   silentOn: ["lost"], // times out after 100 ms
 * });
 * @throws RangeError if `latency` or one of `latencies` is negative, NaN or infinite.
 */
export function createTestAgent(
  testBus: AgentBus | (Subscribable<OrionEvent> & Pick<Observer<OrionEvent>, "next">),
  options: TestAgentOptions,
): TestAgent {
  const bus = asAgentBus(testBus);
  const { scheduler, latency, latencies = {}, edits = {}, silentOn = [], orionId } = options;
  checkLatency(latency, "latency");
  for (const [taskId, value] of Object.entries(latencies)) {
    checkLatency(value, `latencies[${JSON.stringify(taskId)}]`);
  }
  const silent = new Set(silentOn);
  const answers: OrionModifiedEvent[] = [];
  const ignored: TaskEvent[] = [];
  const errors: unknown[] = [];
  const own = <V>(record: Readonly<Record<string, V>>, key: string): V | undefined =>
    Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;

  const heard: AgentBus = {
    events$: bus.events$.pipe(
      filter((event) => {
        if (!isTaskEnded(event) || !silent.has(event.taskId)) return true;
        if (orionId === undefined || event.orionId === orionId) ignored.push(event);
        return false;
      }),
    ),
    publish: (event) => bus.publish(event),
  };
  const agent = createScriptedAgent(heard, {
    scheduler,
    eventId: options.eventId ?? false,
    ...(orionId === undefined ? {} : { orionId }),
    latency: (batch) =>
      batch.reduce(
        (longest, event) => Math.max(longest, own(latencies, event.taskId) ?? latency),
        0,
      ),
    edit: (event, orion) => own(edits, event.taskId)?.(orion, event),
    onError: (error) => {
      errors.push(error);
    },
  });
  agent.modifications$.subscribe((event) => answers.push(event));
  return { ...agent, answers, ignored, errors };
}

function checkLatency(value: number, name: string): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new RangeError(
      `createTestAgent: ${name} must be a finite number of ms >= 0, got ${String(value)}`,
    );
  }
}
