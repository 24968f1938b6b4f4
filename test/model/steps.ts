/**
 * The steps of a model-based run, and their generators. A step is plain data: the same
 * step is applied to the reference model and to the real synchronizer.
 *
 * Time is chosen so that no modification deadline ever falls on the instant a wait times
 * out (RxJS would order the two by when their timers were scheduled, an implementation
 * detail the model should not copy): events, deadlines and advances are on even instants
 * (timeouts and advances are even), and every wait ends on an odd one (explicit wait
 * timeouts are odd; a wait with the default timeout starts one millisecond late).
 */
import fc from "fast-check";
import type { ModelEvent, ModelGateOptions } from "./referenceModel.js";

/** One step of a run. */
export type Step =
  /** An event (`value`, as the real thing gets it; `event`, as the model sees it), via `onEvent` (0) or connection `via - 1`. */
  | {
      readonly k: "event";
      readonly event: ModelEvent;
      readonly value: unknown;
      readonly via: number;
    }
  /**
   * The orchestrator emits the next ready-task value (0, 1, 2...) into the gates; with a
   * `reaction` (an orion id), see `ModelReady`.
   */
  | { readonly k: "ready"; readonly reaction: string | undefined }
  | { readonly k: "gate"; readonly options: ModelGateOptions }
  | { readonly k: "ungate"; readonly index: number }
  /** A wait; `timeout` undefined: the default (the modification timeout). */
  | { readonly k: "wait"; readonly timeout: number | undefined }
  | { readonly k: "clear" }
  /** A `state$` subscriber that reacts to a clear (see `ModelReactor`). */
  | { readonly k: "reactor" }
  | { readonly k: "setTimeout"; readonly ms: number }
  | { readonly k: "advance"; readonly ms: number }
  | { readonly k: "connect" }
  | { readonly k: "disconnect"; readonly index: number }
  | { readonly k: "dispose" };

/** The modification timeouts used: even. */
export const TIMEOUTS = [40, 100, 160] as const;

/** The largest timeout a run uses (modification or wait), for the final quiet period. */
export const MAX_TIMEOUT = 400;

const orionId = fc.constantFrom("o0", "o1");
const taskId = fc.constantFrom("t0", "t1", "t2", "t3");

const orionObject = (id: string): object => ({ id, state: "created", tasks: {}, dependencies: {} });

function eventStep(event: ModelEvent, value: unknown = event): fc.Arbitrary<Step> {
  return fc.nat(3).map((n) => ({ k: "event" as const, event, value, via: n < 2 ? 0 : n - 1 }));
}

const taskEnded = fc
  .record({
    type: fc.constantFrom("TASK_COMPLETED" as const, "TASK_FAILED" as const),
    orionId,
    taskId,
  })
  .chain((e) => eventStep(e));

const taskStarted = fc
  .record({ type: fc.constant("TASK_STARTED" as const), orionId, taskId })
  .chain((e) => eventStep(e));

const orionModified = fc
  .record({
    orionId,
    onTaskIds: fc.array(taskId, { minLength: 1, maxLength: 3 }),
    withOrion: fc.boolean(),
  })
  .chain(({ orionId: id, onTaskIds, withOrion }) =>
    eventStep(
      withOrion
        ? { type: "ORION_MODIFIED", orionId: id, onTaskIds, newOrion: orionObject(id) }
        : { type: "ORION_MODIFIED", orionId: id, onTaskIds },
    ),
  );

const orionLifecycle = fc
  .record({
    type: fc.constantFrom(
      "ORION_STARTED" as const,
      "ORION_COMPLETED" as const,
      "ORION_FAILED" as const,
    ),
    orionId,
  })
  .chain(({ type, orionId: id }) =>
    eventStep(
      type === "ORION_STARTED"
        ? { type, orionId: id, orion: orionObject(id) }
        : { type, orionId: id },
    ),
  );

/** Values that fail `parseOrionEvent`. */
const invalid = fc
  .constantFrom<unknown>(
    null,
    "TASK_COMPLETED",
    { type: "TASK_COMPLETED", orionId: 5, taskId: "t0" },
    { type: "TASK_COMPLETED", orionId: "o0" },
    { type: "ORION_MODIFIED", orionId: "o0", onTaskIds: [] },
    { type: "ORION_MODIFIED", orionId: "o0", onTaskIds: ["t0"], newOrion: orionObject("o1") },
    { type: "NOT_AN_EVENT", orionId: "o0" },
  )
  .chain((value) => eventStep({ type: "INVALID" }, value));

const ready = fc
  .option(orionId, { freq: 3 })
  .map((reaction) => ({ k: "ready" as const, reaction: reaction ?? undefined }));

const gate = fc
  .record({
    release: fc.constantFrom("latest" as const, "all" as const),
    maxHeld: fc.constantFrom(2, 10_000),
    overflow: fc.constantFrom("error" as const, "drop-oldest" as const),
    reacts: fc.boolean(),
  })
  .map((options) => ({ k: "gate" as const, options }));

const wait = fc
  .oneof(
    { weight: 2, arbitrary: fc.constant(undefined) },
    // Odd: a wait ends on an odd instant.
    { weight: 3, arbitrary: fc.integer({ min: 0, max: 200 }).map((n) => 2 * n + 1) },
    { weight: 1, arbitrary: fc.constantFrom(39, 99, 101, 159, 161) },
    { weight: 1, arbitrary: fc.constantFrom(0, -1, Number.NaN, Number.POSITIVE_INFINITY) },
  )
  .map((timeout) => ({ k: "wait" as const, timeout }));

const setTimeoutStep = fc
  .oneof(
    { weight: 4, arbitrary: fc.constantFrom(...TIMEOUTS) },
    { weight: 1, arbitrary: fc.constantFrom(0, -2, Number.NaN, Number.POSITIVE_INFINITY) },
  )
  .map((ms) => ({ k: "setTimeout" as const, ms }));

const advance = fc
  .oneof(
    { weight: 3, arbitrary: fc.integer({ min: 0, max: 100 }).map((n) => 2 * n) },
    // Exactly a timeout, or one step either side: where off-by-one errors live.
    { weight: 2, arbitrary: fc.constantFrom(2, 38, 40, 42, 98, 100, 102, 158, 160, 162) },
  )
  .map((ms) => ({ k: "advance" as const, ms }));

/** The step generator; `withDispose` adds `dispose()` (after which little changes). */
export function stepArbitrary(withDispose: boolean): fc.Arbitrary<Step> {
  const weighted: [number, fc.Arbitrary<Step>][] = [
    [6, taskEnded],
    [2, taskStarted],
    [5, orionModified],
    [1, orionLifecycle],
    [1, invalid],
    [5, ready],
    [2, gate],
    [1, fc.nat(7).map((index) => ({ k: "ungate" as const, index }))],
    [3, wait],
    [2, fc.constant({ k: "clear" as const })],
    [1, fc.constant({ k: "reactor" as const })],
    [2, setTimeoutStep],
    [5, advance],
    [1, fc.constant({ k: "connect" as const })],
    [1, fc.nat(3).map((index) => ({ k: "disconnect" as const, index }))],
  ];
  if (withDispose) weighted.push([1, fc.constant({ k: "dispose" as const })]);
  return fc.oneof(...weighted.map(([weight, arbitrary]) => ({ weight, arbitrary })));
}

/** A step, as a counterexample prints it. */
export function describeStep(step: Step): string {
  switch (step.k) {
    case "event":
      return `event(${JSON.stringify(step.value)}${step.via === 0 ? "" : `, via connection ${step.via - 1}`})`;
    case "ready":
      return step.reaction === undefined ? "ready()" : `ready(reaction in ${step.reaction})`;
    case "gate":
      return `gate(${JSON.stringify(step.options)})`;
    case "ungate":
      return `ungate(${step.index})`;
    case "wait":
      return `wait(${step.timeout === undefined ? "" : String(step.timeout)})`;
    case "clear":
      return "clear()";
    case "reactor":
      return "reactor()";
    case "setTimeout":
      return `setModificationTimeout(${String(step.ms)})`;
    case "advance":
      return `advance(${step.ms})`;
    case "connect":
      return "connect()";
    case "disconnect":
      return `disconnect(${step.index})`;
    case "dispose":
      return "dispose()";
  }
}
