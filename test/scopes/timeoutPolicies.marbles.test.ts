/**
 * Marble tests of the timeout policies (issue 16): what a modification past its deadline
 * means, in the fold and its gate (`onTimeout: 'proceed' | 'hold'`) and in the reference
 * orchestrator (`'proceed' | 'fail-orion' | 'hold'`). Each test asserts a diagram of
 * docs/concepts.md ("Scoped holds", timeouts) as the guide shows it.
 */
import { map, type Observable } from "rxjs";
import { describe, it } from "vitest";
import { gateReadyTasks } from "../../operators/gateReadyTasks.js";
import {
  pendingModifications,
  type PendingModificationsOptions,
} from "../../operators/pendingModifications.js";
import { createEventBus } from "../../src/bus.js";
import type { OrionEvent } from "../../src/events.js";
import { orchestrateOrion } from "../../src/orchestrator/orchestrateOrion.js";
import type { OrchestrateOptions, OrchestrationProgress } from "../../src/orchestrator/types.js";
import { orion } from "../../src/orion/orion.js";
import type { PendingState } from "../../src/pending/PendingState.js";
import { OrionModificationSynchronizer } from "../../src/synchronizer.js";
import { orionModified } from "../../testing/index.js";
import { marbles } from "../marbles.js";
import { expectShownInConcepts, type Diagram } from "./conceptsDiagram.js";
import { planBus } from "./fixtures.js";

type Marbles = Parameters<Parameters<typeof marbles>[0]>[0];

describe("the fold and its gate: onTimeout", () => {
  /** Bus values: s started, c a completed (due 5 frames later), n the late answer. */
  const bus: Record<string, OrionEvent> = planBus;
  const ready = { b: "b" };
  /** The fold's transitions: `last.kind`, and for an answer which of its ids were late. */
  const transitions = {
    i: "initial",
    o: "orion",
    r: "registered",
    t: "timed-out",
    v: "overdue",
    k: "completed",
    l: "completed, late: a",
  };
  const transition = (state: PendingState): string =>
    state.last.kind === "completed" && state.last.late.length > 0
      ? `completed, late: ${state.last.late.join()}`
      : state.last.kind;

  // prettier-ignore
  const diagram = [
    ["bus",            "-s-c-------n--"],
    ["ready",          "---b----------"],
    ["fold (proceed)", "io-r----t--l--"],
    ["gate (proceed)", "--------b-----"],
    ["fold (hold)",    "io-r----v--k--"],
    ["gate (hold)",    "-----------b--"],
  ] as const satisfies Diagram;
  const [[, events], [, tasks], [, proceedFold], [, proceedGate], [, holdFold], [, holdGate]] =
    diagram;

  /** The fold's transitions and the gate's output over the diagram's bus and ready values. */
  function run(
    m: Marbles,
    onTimeout: "proceed" | "hold",
  ): { readonly fold: Observable<string>; readonly gate: Observable<string> } {
    const events$ = m.hot<OrionEvent>(events, bus);
    const tasks$ = m.hot<string>(tasks, ready);
    const options: PendingModificationsOptions = {
      scheduler: m.scheduler,
      scope: "downstream",
      modificationTimeout: 5,
      onTimeout,
    };
    const state$ = events$.pipe(pendingModifications(options));
    m.expect(tasks$).toHaveSubscriptions("^");
    return {
      fold: state$.pipe(map(transition)),
      gate: tasks$.pipe(gateReadyTasks(state$, { orionId: "o", tasks: (task) => [task] })),
    };
  }

  it("is the diagram the guide shows", () => {
    expectShownInConcepts(diagram);
  });

  it(
    "'proceed' (default): at its deadline the modification times out and its scope is free",
    marbles((m) => {
      const { fold, gate } = run(m, "proceed");
      m.expect(fold).toBeObservable(proceedFold, transitions);
      m.expect(gate).toBeObservable(proceedGate, ready);
    }),
  );

  it(
    "'hold': at its deadline the modification is overdue, still owed, and holds until answered",
    marbles((m) => {
      const { fold, gate } = run(m, "hold");
      m.expect(fold).toBeObservable(holdFold, transitions);
      m.expect(gate).toBeObservable(holdGate, ready);
    }),
  );
});

describe("orchestrateOrion: onTimeout", () => {
  /** a → b: b waits for a's modification, which the agent answers after its deadline. */
  const plan = orion("o").task("a").task("b", { after: "a" }).build();
  /** Agent values: n answers a (after its deadline), k answers b. */
  const agentEvents: Record<string, OrionEvent> = {
    n: orionModified(["a"], "o"),
    k: orionModified(["b"], "o"),
  };
  const progress = {
    O: "ORION_STARTED",
    a: "TASK_STARTED a",
    A: "TASK_COMPLETED a",
    b: "TASK_STARTED b",
    B: "TASK_COMPLETED b",
    C: "ORION_COMPLETED",
    F: "ORION_FAILED",
    /** 'proceed': a's modification timed out, and its answer came late. */
    p: { outcome: "completed", timedOut: 1, late: 1 },
    /** 'hold': a's modification was answered, late but owed. */
    h: { outcome: "completed", timedOut: 0, late: 0 },
    f: {
      outcome: "failed",
      timedOut: 1,
      late: 0,
      failure: {
        kind: "modification-timeout",
        modification: { taskId: "a", eventId: "r:3", seq: 1 },
      },
    },
  };
  /** A progress value as a marble value: the event's type and task, or the result's gist. */
  const describeProgress = (value: OrchestrationProgress): unknown => {
    if (value.kind === "event") {
      const { event } = value;
      return "taskId" in event ? `${event.type} ${event.taskId}` : event.type;
    }
    const { outcome, statistics, failure } = value.result;
    return {
      outcome,
      timedOut: statistics?.timeoutModifications,
      late: statistics?.lateModifications,
      ...(failure === undefined ? {} : { failure }),
    };
  };

  // prettier-ignore
  const diagram = [
    ["agent",      "--------------n---k"],
    ["proceed",    "(Oa)-A-----b-B----(Cp|)"],
    ["fail-orion", "(Oa)-A-----(Ff|)"],
    ["hold",       "(Oa)-A--------b-B-(Ch|)"],
  ] as const satisfies Diagram;
  const [[, agent], [, proceeding], [, failing], [, holding]] = diagram;

  /** Each task's run: a cold observable, subscribed when the task starts. */
  type Runs = { readonly a: Observable<never>; readonly b: Observable<never> };

  /**
   * Runs `plan` on the TestScheduler with a modification timeout of 6 frames (a ends at 5: due
   * at 11): the agent's events are the hot `agent` marbles; a runs 5 frames, b 2.
   */
  function orchestrate(
    m: Marbles,
    synchronizerTimeout: "proceed" | "hold",
    options: Partial<OrchestrateOptions> = {},
  ): { readonly progress$: Observable<unknown>; readonly runs: Runs } {
    const bus = createEventBus();
    const synchronizer = new OrionModificationSynchronizer({
      scheduler: m.scheduler,
      modificationTimeout: 6,
      onTimeout: synchronizerTimeout,
    });
    bus.subscribe(synchronizer);
    const agent$ = m.hot<OrionEvent>(agent, agentEvents);
    agent$.subscribe((event) => bus.publish(event));
    const runs = { a: m.cold<never>("-----|"), b: m.cold<never>("--|") };
    const progress$ = orchestrateOrion(plan, {
      bus,
      synchronizer,
      scheduler: m.scheduler,
      runId: "r",
      executeTask: (task) => runs[task.id as keyof Runs],
      ...options,
    }).pipe(map(describeProgress));
    return { progress$, runs };
  }

  it("is the diagram the guide shows", () => {
    expectShownInConcepts(diagram);
  });

  it(
    "'proceed' (default): b starts at a's deadline, and a's answer is late",
    marbles((m) => {
      const aSubs = "^----!";
      const bSubs = "-----------^-!";
      const { progress$, runs } = orchestrate(m, "proceed");
      m.expect(progress$).toBeObservable(proceeding, progress);
      m.expect(runs.a).toHaveSubscriptions(aSubs);
      m.expect(runs.b).toHaveSubscriptions(bSubs);
    }),
  );

  it(
    "'fail-orion': the orion fails at a's deadline, and b never starts",
    marbles((m) => {
      const aSubs = "^----!";
      const bSubs: string[] = [];
      const { progress$, runs } = orchestrate(m, "proceed", { onTimeout: "fail-orion" });
      m.expect(progress$).toBeObservable(failing, progress);
      m.expect(runs.a).toHaveSubscriptions(aSubs);
      m.expect(runs.b).toHaveSubscriptions(bSubs);
    }),
  );

  it(
    "'hold' (with a holding synchronizer): b waits past a's deadline for its answer",
    marbles((m) => {
      const aSubs = "^----!";
      const bSubs = "--------------^-!";
      const { progress$, runs } = orchestrate(m, "hold");
      m.expect(progress$).toBeObservable(holding, progress);
      m.expect(runs.a).toHaveSubscriptions(aSubs);
      m.expect(runs.b).toHaveSubscriptions(bSubs);
    }),
  );
});
