/**
 * Marble tests of scope violations (issue 16): the reference orchestrator, on a TestScheduler,
 * starts a task the agent declared out of scope; the agent's answer then edits it. The
 * violation is observed where the orchestration reports it: the `finished` emission's
 * `scopeViolations` (`'report'`), or the orion failing in the answer's frame (`'fail-orion'`).
 * Each test asserts the diagram of docs/concepts.md ("Scope violations") as it stands.
 */
import { map, type Observable } from "rxjs";
import { describe, it } from "vitest";
import { createEventBus } from "../../src/bus.js";
import type { OrionEvent } from "../../src/events.js";
import { orchestrateOrion } from "../../src/orchestrator/orchestrateOrion.js";
import type { OrchestrateOptions, OrchestrationProgress } from "../../src/orchestrator/types.js";
import { orion } from "../../src/orion/orion.js";
import type { TaskOrion } from "../../src/orion/types.js";
import { OrionModificationSynchronizer } from "../../src/synchronizer.js";
import { orionModified } from "../../testing/index.js";
import { marbles } from "../marbles.js";
import { expectShownInConcepts, type Diagram } from "./conceptsDiagram.js";

type Marbles = Parameters<Parameters<typeof marbles>[0]>[0];

/** a → b and a → d: both wait for a's modification until the agent declares. */
const plan: TaskOrion = orion("o")
  .task("a")
  .task("b", { after: "a" })
  .task("d", { after: "a" })
  .build();

/** The agent's orion in its answer to a: d's params edited (d has started by then). */
const edited: TaskOrion = {
  ...plan,
  tasks: { ...plan.tasks, d: { ...plan.tasks["d"]!, params: { late: true } } },
};

/** Agent values: y declares a's scope [b], n answers a with the edit, k answers b and d. */
const agentEvents: Record<string, OrionEvent> = {
  y: { type: "ORION_MODIFYING", orionId: "o", onTaskIds: ["a"], scope: ["b"] },
  n: orionModified(["a"], "o", edited),
  k: orionModified(["b", "d"], "o"),
};

/** A progress value as a marble value: the event's type and task, or the result's verdict. */
function describeProgress(progress: OrchestrationProgress): unknown {
  if (progress.kind === "event") {
    const { event } = progress;
    return "taskId" in event ? `${event.type} ${event.taskId}` : event.type;
  }
  const { outcome, scopeViolations, failure } = progress.result;
  return failure === undefined
    ? { outcome, scopeViolations }
    : { outcome, scopeViolations, failure };
}

/** The violation a's answer makes: d had started outside a's declared scope. */
const violation = {
  taskId: "d",
  change: "definition_changed",
  fields: ["params"],
  modification: { taskId: "a", eventId: "r:3", seq: 1 },
  at: 10,
};

const progressValues = {
  O: "ORION_STARTED",
  a: "TASK_STARTED a",
  A: "TASK_COMPLETED a",
  b: "TASK_STARTED b",
  B: "TASK_COMPLETED b",
  d: "TASK_STARTED d",
  D: "TASK_COMPLETED d",
  C: "ORION_COMPLETED",
  F: "ORION_FAILED",
  r: { outcome: "completed", scopeViolations: [violation] },
  f: {
    outcome: "failed",
    scopeViolations: [violation],
    failure: { kind: "scope-violation", violation },
  },
};

/** Each task's run: a cold observable, subscribed when the task starts. */
type Runs = Readonly<Record<"a" | "b" | "d", Observable<never>>>;

// prettier-ignore
const diagram = [
  ["agent",      "-------y--n----k"],
  ["report",     "(Oa)-A-d--b-BD-(Cr|)"],
  ["fail-orion", "(Oa)-A-d--(Ff|)"],
] as const satisfies Diagram;
const [[, agent], [, reporting], [, failing]] = diagram;

/**
 * Runs `plan` with scoped starts on the TestScheduler: the agent's events are the diagram's hot
 * `agent` marbles; a runs 5 frames, b 2, d 6. Returns the progress, described, and the runs.
 */
function orchestrate(
  m: Marbles,
  options: Partial<OrchestrateOptions> = {},
): { readonly progress$: Observable<unknown>; readonly runs: Runs } {
  const bus = createEventBus();
  const synchronizer = new OrionModificationSynchronizer({ scheduler: m.scheduler });
  bus.subscribe(synchronizer);
  const agent$ = m.hot<OrionEvent>(agent, agentEvents);
  agent$.subscribe((event) => bus.publish(event));
  const runs: Runs = { a: m.cold("-----|"), b: m.cold("--|"), d: m.cold("------|") };
  const progress$ = orchestrateOrion(plan, {
    bus,
    synchronizer,
    scheduler: m.scheduler,
    runId: "r",
    scoped: true,
    executeTask: (task) => runs[task.id as keyof Runs],
    ...options,
  }).pipe(map(describeProgress));
  return { progress$, runs };
}

describe("orchestrateOrion: scope violations, in marbles", () => {
  it("is the diagram the guide shows", () => {
    expectShownInConcepts(diagram);
  });

  it(
    "'report' (default): the answer's edit of d, started outside a's scope, is in the result",
    marbles((m) => {
      const dSubs = "-------^-----!";
      const bSubs = "----------^-!";
      const { progress$, runs } = orchestrate(m);
      m.expect(progress$).toBeObservable(reporting, progressValues);
      m.expect(runs.d).toHaveSubscriptions(dSubs);
      m.expect(runs.b).toHaveSubscriptions(bSubs);
    }),
  );

  it(
    "'fail-orion': the orion fails in the answer's frame; d is cancelled, b never starts",
    marbles((m) => {
      const { progress$, runs } = orchestrate(m, { onScopeViolation: "fail-orion" });
      m.expect(progress$).toBeObservable(failing, progressValues);
      const dSubs = "-------^--!";
      const bSubs: string[] = [];
      m.expect(runs.d).toHaveSubscriptions(dSubs);
      m.expect(runs.b).toHaveSubscriptions(bSubs);
    }),
  );
});
