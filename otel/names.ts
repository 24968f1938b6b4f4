/**
 * The names orion-sync's telemetry uses, in OpenTelemetry's semantic-convention style: a
 * `orion_sync.` namespace, dot-separated, snake_case words, durations in seconds.
 */

/** The instrumentation scope (tracer and meter name) used when none is given. */
export const INSTRUMENTATION_SCOPE = "orion-sync";

/** Span names. */
export const SPAN_NAMES = {
  /** One modification: from its registration to its answer, timeout or clear. */
  modification: "orion_sync.modification",
  /** One hold of a gate: from the first value it held to the release. */
  gateHold: "orion_sync.gate.hold",
  /** One run of the reference orchestrator over an orion. */
  orchestration: "orion_sync.orchestration",
  /** One task run of the reference orchestrator: from `TASK_STARTED` to its end. */
  task: "orion_sync.task",
} as const;

/** The span event recorded on a modification span when the agent answers it. */
export const ANSWER_EVENT = "orion_sync.answer";

/** Attribute keys. */
export const ATTR = {
  /** The orion's id. */
  orionId: "orion_sync.orion.id",
  /** The task's id. */
  taskId: "orion_sync.task.id",
  /** The id of the event that registered the modification (or started the task). */
  eventId: "orion_sync.event.id",
  /** `TASK_COMPLETED` or `TASK_FAILED`: the task end that registered the modification. */
  cause: "orion_sync.modification.cause",
  /** `completed`, `timed_out` or `cleared`: how the modification ended. */
  outcome: "orion_sync.modification.outcome",
  /** The modification's registration number in its fold (`PendingEntry.seq`). */
  seq: "orion_sync.modification.seq",
  /** The agent answered before the task's end arrived: it registered and completed at once. */
  answeredEarly: "orion_sync.modification.answered_early",
  /** The timeout of the wait whose expiry cleared the modification, in ms. */
  waitTimeout: "orion_sync.wait.timeout_ms",
  /** On the answer event: the id of the `ORION_MODIFIED` (or task event) that answered. */
  answerEventId: "orion_sync.answer.event.id",
  /** On the answer event: the event type that answered. */
  answerTrigger: "orion_sync.answer.trigger",
  /** On the answer event: whether the answer carried a new orion. */
  orionUpdated: "orion_sync.answer.orion_updated",
  /** On a gate hold: how many values it held. */
  valuesHeld: "orion_sync.gate.values_held",
  /** On a gate hold: how many modifications it waited for (one link each). */
  waitedFor: "orion_sync.gate.modifications",
  /** On a task span: ms it was held at the gate between becoming ready and starting. */
  taskHeldMs: "orion_sync.task.held_ms",
  /** On a task span: `completed`, `failed` or `cancelled`. */
  taskStatus: "orion_sync.task.status",
  /** On an orchestration span: `completed`, `failed` or `cancelled`. */
  orchestrationOutcome: "orion_sync.orchestration.outcome",
  /** On an orchestration span: the result's `heldMs`, total ms ready tasks waited at the gate. */
  orchestrationHeldMs: "orion_sync.orchestration.held_ms",
} as const;

/** Metric instrument names. */
export const METRIC_NAMES = {
  /** UpDownCounter: modifications owed, per orion. */
  pending: "orion_sync.modification.pending",
  /** Counter: modifications registered. */
  registered: "orion_sync.modification.registered",
  /** Counter: modifications the agent answered. */
  completed: "orion_sync.modification.completed",
  /** Counter: modifications that timed out (a timed-out wait's clear included). */
  timeouts: "orion_sync.modification.timeouts",
  /** Counter: modifications removed by an explicit clear. */
  clears: "orion_sync.modification.clears",
  /** Histogram (s): registration to answer, timeout or clear, by outcome. */
  duration: "orion_sync.modification.duration",
  /** Histogram (s): how long each gate hold lasted. */
  holdDuration: "orion_sync.gate.hold.duration",
  /** Counter: answers naming a modification that had timed out or been cleared. */
  late: "orion_sync.answer.late",
  /** Counter: events recognised as duplicates (per task id or event id named). */
  duplicates: "orion_sync.event.duplicates",
  /** Counter: values on the event stream that failed `parseOrionEvent`. */
  invalid: "orion_sync.event.invalid",
} as const;
