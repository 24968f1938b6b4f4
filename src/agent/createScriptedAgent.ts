/**
 * A scripted stand-in for the LLM agent: it answers task completions with `ORION_MODIFIED`
 * after a latency, one modification at a time, batching what arrives while it works, like
 * UFO's agent; or, with `concurrency`, each completion on its own and several at once, like an
 * LLM service that handles completions in parallel. For tests, demos and benchmarks of the
 * synchronizer.
 */
import {
  asyncScheduler,
  type Subscription,
  type Unsubscribable,
  type Observable,
  type SchedulerLike,
} from "rxjs";
import {
  eventIdOf,
  isOrionEnded,
  isOrionStarted,
  isTaskEnded,
  type OrionEvent,
  type OrionModifiedEvent,
  type OrionModifyingEvent,
  type TaskEvent,
} from "../events.js";
import { CurrentValue, Multicast } from "../internal/Multicast.js";
import type { TaskOrion } from "../orion/types.js";
import { startBatchingLoop } from "./batchingLoop.js";

/** What the agent needs of a bus: our `EventBus` fits, and so does any `{ events$, publish }`. */
export interface AgentBus {
  /** The events the agent listens to (hot). */
  readonly events$: Observable<OrionEvent>;
  /** Where the agent publishes its `ORION_MODIFIED`; may deliver synchronously and re-enter. */
  publish(event: OrionEvent): void;
}

/**
 * How long the agent "thinks" about a batch, in ms of the scheduler's clock: a constant, or a
 * function of the batch (called once, when the batch starts). Must be finite and `>= 0`. A
 * concurrent agent (see {@link ScriptedAgentOptions.concurrency}) calls it with a batch of one
 * completion, when that completion's answer starts (leaves the queue).
 */
export type AgentLatency = number | ((batch: readonly TaskEvent[]) => number);

/**
 * The agent's edit of one completion: returns the edited orion, or `undefined` for "no change".
 *
 * `orion` is the agent's *structural* view: the `orion` of the last `ORION_STARTED` of that
 * orion id, then the agent's own last `newOrion`. Execution statuses in it are not kept in
 * step with `TASK_*` events (the orchestrator's merge keeps execution state), and
 * `ORION_MODIFIED` of other publishers are not applied. `undefined` when no `ORION_STARTED`
 * was seen. A returned orion must keep the event's `orionId` as its `id`.
 */
export type AgentEdit = (event: TaskEvent, orion: TaskOrion | undefined) => TaskOrion | undefined;

/**
 * The tasks the agent may still change because of one completion, known before its slow
 * answer (issue 16's declared scope): it publishes them at once as an `ORION_MODIFYING`.
 * `undefined`: no declaration (the synchronizer's scope policy applies). Gets the same view
 * as {@link AgentEdit}. The edit must keep to it: a change to a started task outside it is
 * a scope violation.
 */
export type AgentDeclare = (
  event: TaskEvent,
  orion: TaskOrion | undefined,
) => readonly string[] | undefined;

/** Options of {@link createScriptedAgent}. */
export interface ScriptedAgentOptions {
  /** See {@link AgentLatency}. A constant that is negative, NaN or infinite throws a `RangeError`. */
  readonly latency: AgentLatency;
  /** See {@link AgentEdit}. Without it, no `ORION_MODIFIED` carries a `newOrion`. */
  readonly edit?: AgentEdit;
  /**
   * See {@link AgentDeclare}. When given, each completion is answered at once (before the
   * latency, even while a batch is in hand) with an `ORION_MODIFYING` naming it
   * (`onEventIds` when it has an id) and carrying the agent's own event id.
   */
  readonly declare?: AgentDeclare;
  /** Where the latency timers run. Default: `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  /**
   * How many completions the agent answers at once. `1` (the default): one batch at a time,
   * like UFO's agent (see {@link createScriptedAgent}). `n > 1` or `Infinity`: each completion
   * on its own, like an LLM service that handles completions in parallel: its answer starts
   * when it arrives (after its declaration, if any) and is published after its own latency
   * (`latency([event])`), with at most `n` answers in flight; a completion that finds `n` in
   * flight waits in a FIFO queue and starts when a slot frees, right after that answer is
   * published. Each answer is one `ORION_MODIFIED` for that one completion.
   *
   * Answers may finish out of order (a later completion with a shorter latency). The rule:
   * `edit` runs when the answer is published, not when it starts, on the agent's view at that
   * moment (every answer published before it, in publication order), and its result becomes
   * the view. So no edit is lost: each `newOrion` holds the edits of every answer published
   * before it, whichever completion they were for; an answer still in flight is not in it.
   *
   * A finite value must be a positive integer: `0`, negative, fractional or NaN values throw a
   * `RangeError`.
   */
  readonly concurrency?: number;
  /** Only this orion's events are handled. Default: every orion's. */
  readonly orionId?: string;
  /**
   * The id of its `n`-th answer (1, 2, ...) to `orionId`; `false`: answers carry no id (a
   * UFO-style agent). Default: a random prefix and `n`, unique across agents. Ids let the
   * synchronizer recognise a redelivered answer whatever arrived in between.
   */
  readonly eventId?: ((orionId: string, n: number) => string) | false;
  /**
   * Called, and the agent carries on, when a batch goes wrong without stopping the agent:
   * the latency function threw or returned a negative, NaN or infinite value (a
   * `RangeError`; the batch is then answered with latency 0, so the synchronizer is not left
   * waiting for its timeout), `edit` threw (that event counts as "no change"), or `publish`
   * threw. Must not throw. Default: `console.error`.
   */
  readonly onError?: (error: unknown, batch: readonly TaskEvent[]) => void;
}

/** What {@link createScriptedAgent} returns. */
export interface ScriptedAgent {
  /**
   * Every `ORION_MODIFIED` the agent published, right after `publish` returned. Hot (no
   * replay). Completes on `stop()` (at once: an event whose `publish` called `stop()` is not
   * emitted) or when the bus completes (after the work in hand is published); errors when
   * the bus errors, dropping the work in hand.
   */
  readonly modifications$: Observable<OrionModifiedEvent>;
  /**
   * Whether the agent has a batch in hand, starting with the current value: `true` from the
   * completion that starts a batch until the last queued batch has been published. A
   * concurrent agent: `true` while some answer is in flight or queued.
   */
  readonly busy$: Observable<boolean>;
  /** The current value of `busy$`. */
  isBusy(): boolean;
  /**
   * Unsubscribes from the bus and cancels the pending timer (a concurrent agent: every timer
   * in flight, and drops its queue): nothing is published, and neither `latency` nor `edit` is
   * called, after it. Idempotent; safe from inside a callback.
   */
  stop(): void;
}

/**
 * Starts an agent that answers `TASK_COMPLETED` and `TASK_FAILED` (of `options.orionId`, if
 * given) with `ORION_MODIFIED`, one batch at a time:
 *
 * ```text
 * events:  --a-b-c-------------d------    a, b, c, d: TASK_COMPLETED (latency: 5)
 * output:  -------A----B------------D-    A: onTaskIds [a]   B: [b, c]   D: [d]
 * busy$:   f-t---------f-------t----f-
 * ```
 *
 * A completion that finds the agent idle starts a batch of its own. Completions that arrive
 * while it works (including any published re-entrantly while it publishes) are queued and
 * become the next batch, started as soon as the current one is published. After the batch's
 * latency (an action scheduled on `options.scheduler`), the agent applies `edit` to each event
 * of the batch in order, starting from its current view of the orion (see {@link AgentEdit}), and
 * publishes ONE `ORION_MODIFIED` with the batch's task ids (first occurrences, in order) and,
 * if some `edit` returned an orion, `newOrion`: the result, which becomes its view. With no
 * `orionId`, a batch that spans orions is answered with one `ORION_MODIFIED` per orion, in
 * order of first appearance. `ORION_STARTED` sets the view; `ORION_COMPLETED` and
 * `ORION_FAILED` forget it.
 *
 * With `concurrency` above 1, each completion is answered on its own instead, several at once
 * (latency 5, concurrency 2; see {@link ScriptedAgentOptions.concurrency}):
 *
 * ```text
 * events:  --a-b-c-------------d------    a, b, c, d: TASK_COMPLETED (latency: 5)
 * output:  -------A-B--C------------D-    A: onTaskIds [a]   B: [b]   C: [c]   D: [d]
 * busy$:   f-t---------f-------t----f-
 * ```
 *
 * (`c` waits for a slot: it starts when `A` is published.) The bus completing lets the answers
 * in flight and queued be published first; the bus erroring cancels them.
 *
 * The agent subscribes to `bus.events$` at once. Publishing never happens inside the bus's
 * delivery of the triggering event unless the scheduler runs a timer synchronously (e.g.
 * `queueScheduler` with latency 0); both are safe.
 *
 * @throws RangeError if `options.latency` is a number that is negative, NaN or infinite, or
 *   `options.concurrency` is not a positive integer or `Infinity`.
 */
export function createScriptedAgent(bus: AgentBus, options: ScriptedAgentOptions): ScriptedAgent {
  const { latency, edit, declare, orionId, scheduler = asyncScheduler } = options;
  const onError = options.onError ?? reportToConsole;
  if (typeof latency === "number") {
    const error = checkLatency(latency);
    if (error) throw error;
  }
  const concurrency = checkConcurrency(options.concurrency, "concurrency");

  const views = new Map<string, TaskOrion>();
  const queue: TaskEvent[] = [];
  // Multicasts, not subjects: every answer goes through them (see `internal/Multicast.ts`).
  const modifications = new Multicast<OrionModifiedEvent>();
  const busy = new CurrentValue(false);
  let stopped = false;
  // The agent's own event ids: unique within each orion, across agents.
  const agentId = `agent-${Math.random().toString(36).slice(2, 10)}`;
  const makeId = options.eventId ?? ((_: string, n: number) => `${agentId}:${n}`);
  let answerSeq = 0;

  /** Updates the view or queues a completion; true when the event was queued. */
  const observe = (event: OrionEvent): boolean => {
    if (orionId !== undefined && event.orionId !== orionId) return false;
    if (isOrionStarted(event)) views.set(event.orionId, event.orion);
    else if (isOrionEnded(event)) views.delete(event.orionId);
    else if (isTaskEnded(event)) {
      queue.push(event);
      if (declare !== undefined) declareFor(event);
      return true;
    }
    return false;
  };

  /** Publishes the declared scope of one completion, at once: before any latency. */
  const declareFor = (event: TaskEvent): void => {
    let scope: readonly string[] | undefined;
    try {
      scope = declare?.(event, views.get(event.orionId));
    } catch (error) {
      onError(error, [event]);
      return;
    }
    if (scope === undefined || stopped) return;
    const answers = eventIdOf(event);
    const eventId = makeId === false ? undefined : makeId(event.orionId, ++answerSeq);
    const declaration: OrionModifyingEvent = {
      type: "ORION_MODIFYING",
      orionId: event.orionId,
      onTaskIds: [event.taskId],
      ...(answers === undefined ? {} : { onEventIds: [answers] }),
      scope: [...scope],
      ...(eventId === undefined ? {} : { eventId }),
    };
    try {
      bus.publish(declaration);
    } catch (error) {
      onError(error, [event]);
    }
  };

  const latencyOf = (batch: readonly TaskEvent[]): number => {
    if (typeof latency === "number") return latency;
    let value: number;
    try {
      value = latency(batch);
    } catch (error) {
      onError(error, batch);
      return 0;
    }
    const error = checkLatency(value);
    if (error) {
      onError(error, batch);
      return 0;
    }
    return value;
  };

  /** Applies the edits and updates the views: the events to publish, one per orion. */
  const answer = (batch: readonly TaskEvent[]): OrionModifiedEvent[] => {
    // One orion, the usual batch: no grouping.
    const first = batch[0];
    if (first === undefined) return [];
    if (batch.every((event) => event.orionId === first.orionId)) {
      return [answerFor(first.orionId, batch, batch)];
    }
    const groups = new Map<string, TaskEvent[]>();
    for (const event of batch) {
      const group = groups.get(event.orionId);
      if (group) group.push(event);
      else groups.set(event.orionId, [event]);
    }
    return Array.from(groups, ([id, events]) => answerFor(id, events, batch));
  };

  /** Applies the edits of `events` (of orion `id`, from `batch`) and makes their answer. */
  const answerFor = (
    id: string,
    events: readonly TaskEvent[],
    batch: readonly TaskEvent[],
  ): OrionModifiedEvent => {
    const onTaskIds =
      events.length === 1 ? [events[0]!.taskId] : [...new Set(events.map((event) => event.taskId))];
    let view = views.get(id);
    let changed = false;
    if (edit) {
      for (const event of events) {
        let edited: TaskOrion | undefined;
        try {
          edited = edit(event, view);
        } catch (error) {
          onError(error, batch);
          continue;
        }
        if (edited !== undefined) {
          view = edited;
          changed = true;
        }
      }
    }
    // Fields added in this order, each only when it has a value (not spread in: a spread of
    // an optional part builds an object per answer).
    const answer: { -readonly [K in keyof OrionModifiedEvent]: OrionModifiedEvent[K] } = {
      type: "ORION_MODIFIED",
      orionId: id,
      onTaskIds,
    };
    // With every completion identified, name them: a failure and its retry's completion
    // of one task are two modifications, and one answer by task covers only the oldest.
    const ids = events.map(eventIdOf);
    if (ids.every((e) => e !== undefined)) answer.onEventIds = ids as string[];
    // The id before the view: an `eventId` function that throws drops the answer, and its
    // edit must not stay in the view for the next one.
    const eventId = makeId === false ? undefined : makeId(id, ++answerSeq);
    if (changed && view) {
      views.set(id, view);
      answer.newOrion = view;
    }
    if (eventId !== undefined) answer.eventId = eventId;
    return answer;
  };

  const publishAll = (
    batch: readonly TaskEvent[],
    answers: readonly OrionModifiedEvent[],
  ): void => {
    for (const event of answers) {
      if (stopped) return;
      try {
        bus.publish(event);
      } catch (error) {
        onError(error, batch);
      }
      modifications.next(event);
    }
  };

  /** Ends `modifications$` (with `error`, if `failed`) and `busy$`: the agent is done. */
  const endStreams = (failed: boolean, error?: unknown): void => {
    if (failed) modifications.error(error);
    else modifications.complete();
    busy.complete();
  };

  const setBusy = (value: boolean): void => {
    if (busy.value !== value) busy.next(value);
  };

  /** Today's agent: one batch at a time (see `batchingLoop.ts`). */
  const startBatching = (): Unsubscribable =>
    startBatchingLoop(bus.events$, scheduler, {
      observe,
      hasQueued: () => queue.length > 0,
      take: () => queue.splice(0),
      latencyOf,
      answer,
      publish: publishAll,
      setBusy,
      end: endStreams,
    });

  /**
   * The concurrent agent: each completion answered on its own after its own latency, at most
   * `concurrency` in flight, the rest queued FIFO. Returns what `stop()` unsubscribes.
   */
  const startConcurrent = (): Unsubscribable => {
    /** The latency timers in flight. */
    const inFlight = new Set<Subscription>();
    /** Answers started and not yet published (a timer may fire before it is in `inFlight`). */
    let running = 0;
    let busEnded = false;
    /** The bus errored: the work in hand is dropped, nothing more is started or published. */
    let busFailed = false;
    /**
     * An answer is being published: a completion it causes (re-entrantly) waits in the queue
     * until it is out, so answers reach the bus, and `modifications$`, in the order they began
     * publishing, each with every edit published before it (with a scheduler that runs nested
     * actions at once, the later answer would otherwise be published inside the earlier one).
     */
    let publishing = false;
    /** Whether a callback of ours (a `busy$` subscriber, `latency`) stopped us or failed the bus. */
    const ended = (): boolean => stopped || busFailed;

    const settle = (): void => {
      if (running > 0 || queue.length > 0) return;
      setBusy(false);
      if (busEnded && !stopped) endStreams(false);
    };

    /** Starts queued answers while a slot is free. */
    const pump = (): void => {
      while (!ended() && !publishing && running < concurrency && queue.length > 0) {
        const event = queue.shift()!;
        running++;
        setBusy(true);
        if (ended()) return; // a busy$ subscriber stopped the agent
        const batch = [event];
        const delay = latencyOf(batch);
        if (ended()) return; // `latency` stopped the agent, or the bus failed inside it
        // The timer, once `schedule` has returned (a synchronous scheduler fires before).
        const handle: { sub?: Subscription; fired?: true } = {};
        const fire = (): void => {
          handle.fired = true;
          if (handle.sub !== undefined) inFlight.delete(handle.sub);
          if (ended()) return;
          // The edit runs now, on the view as every answer published so far left it.
          publishing = true;
          try {
            publishAll(batch, answer(batch));
          } finally {
            publishing = false;
          }
          if (ended()) return; // stop() from inside publish
          running--;
          pump();
          settle();
        };
        handle.sub = scheduler.schedule(fire, delay);
        if (handle.fired === undefined && !ended()) inFlight.add(handle.sub);
      }
    };

    const events = bus.events$.subscribe({
      next: (event) => {
        if (observe(event)) pump();
      },
      error: (error: unknown) => {
        busFailed = true;
        for (const timerSub of inFlight) timerSub.unsubscribe();
        inFlight.clear();
        queue.length = 0;
        running = 0;
        setBusy(false);
        endStreams(true, error);
      },
      complete: () => {
        busEnded = true;
        settle();
      },
    });
    return {
      unsubscribe: () => {
        events.unsubscribe();
        for (const timerSub of inFlight) timerSub.unsubscribe();
        inFlight.clear();
      },
    };
  };

  const subscription = concurrency === 1 ? startBatching() : startConcurrent();

  return {
    modifications$: modifications.observable,
    busy$: busy.observable,
    isBusy: () => busy.value,
    stop: () => {
      if (stopped) return;
      stopped = true;
      queue.length = 0;
      subscription.unsubscribe();
      setBusy(false);
      endStreams(false);
    },
  };
}

/**
 * An agent's `concurrency` (`name` is the option's name where it was given), 1 when absent.
 * @throws RangeError - when it is not a positive integer or `Infinity`.
 * @internal
 */
export function checkConcurrency(value: number | undefined, name: string): number {
  // Only `undefined` means "the default": a `null` from untyped code is a bad option.
  const concurrency = value === undefined ? 1 : value;
  if (
    concurrency === Number.POSITIVE_INFINITY ||
    (Number.isInteger(concurrency) && concurrency >= 1)
  ) {
    return concurrency;
  }
  throw new RangeError(
    `${name} must be a positive integer or Infinity, got ${String(concurrency)}`,
  );
}

function checkLatency(value: number): RangeError | undefined {
  return typeof value === "number" && Number.isFinite(value) && value >= 0
    ? undefined
    : new RangeError(`latency must be a finite number of milliseconds >= 0, got ${String(value)}`);
}

function reportToConsole(error: unknown, batch: readonly TaskEvent[]): void {
  const ids = batch.map((event) => event.taskId).join(", ");
  console.error(`orion-sync: the scripted agent failed on [${ids}]`, error);
}
