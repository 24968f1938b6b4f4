import { map, timer } from "rxjs";
import type { TestScheduler } from "rxjs/testing";
import { describe, expect, it } from "vitest";
import { createEventBus, type EventBus } from "../../src/bus.js";
import { eventIdOf, type OrionEvent } from "../../src/events.js";
import { orchestrateOrion } from "../../src/orchestrator/orchestrateOrion.js";
import type {
  OrchestrateOptions,
  OrchestrationProgress,
  OrchestrationResult,
} from "../../src/orchestrator/types.js";
import { orion } from "../../src/orion/orion.js";
import type { TaskOrion } from "../../src/orion/types.js";
import { OrionModificationSynchronizer } from "../../src/synchronizer.js";
import { virtualTime } from "../../testing/index.js";

// Issue 16's orchestrator side: scoped starts, scope violations and the timeout policies.

/** a → a2 and b → c, two independent branches; a runs 10 ms, b 20 ms, the rest 10 ms. */
const twoBranches = (): TaskOrion =>
  orion("o").task("a").task("a2", { after: "a" }).task("b").task("c", { after: "b" }).build();

const durations: Record<string, number> = { a: 10, a2: 10, b: 20, c: 10 };

interface HandAgentOptions {
  /** ms per completed task; a missing task is never answered. */
  readonly latency: Readonly<Record<string, number>>;
  /** Declared scope per completed task (published at once). */
  readonly declare?: Readonly<Record<string, readonly string[]>>;
  /** The agent's edit of its view, per completed task. */
  readonly edit?: Readonly<Record<string, (view: TaskOrion) => TaskOrion>>;
}

/**
 * An agent answering each completion on its own (no batching), so that latencies are per
 * task: what the scripted agent cannot do.
 */
function handAgent(
  bus: EventBus,
  sync: OrionModificationSynchronizer,
  scheduler: TestScheduler,
  options: HandAgentOptions,
): void {
  let n = 0;
  bus.events$.subscribe((event) => {
    if (event.type !== "TASK_COMPLETED" && event.type !== "TASK_FAILED") return;
    const id = eventIdOf(event);
    const named = id === undefined ? {} : { onEventIds: [id] };
    const scope = options.declare?.[event.taskId];
    if (scope !== undefined) {
      bus.publish({
        type: "ORION_MODIFYING",
        orionId: event.orionId,
        onTaskIds: [event.taskId],
        ...named,
        scope,
        eventId: `agent:${++n}`,
      });
    }
    const latency = options.latency[event.taskId];
    if (latency === undefined) return;
    scheduler.schedule(() => {
      const edit = options.edit?.[event.taskId];
      const view = sync.getCurrentOrion(event.orionId);
      bus.publish({
        type: "ORION_MODIFIED",
        orionId: event.orionId,
        onTaskIds: [event.taskId],
        ...named,
        ...(edit === undefined || view === undefined ? {} : { newOrion: edit(view) }),
        eventId: `agent:${++n}`,
      });
    }, latency);
  });
}

interface Setup {
  readonly sync?: ConstructorParameters<typeof OrionModificationSynchronizer>[0];
  readonly agent: HandAgentOptions;
  readonly orchestrate?: Partial<OrchestrateOptions>;
  readonly orion?: TaskOrion;
}

function runScenario(setup: Setup) {
  const { scheduler } = virtualTime();
  const bus = createEventBus();
  const events: { at: number; event: OrionEvent }[] = [];
  const sync = new OrionModificationSynchronizer({ scheduler, ...setup.sync });
  bus.subscribe(sync);
  bus.subscribe({ onEvent: (event) => events.push({ at: scheduler.now(), event }) });
  handAgent(bus, sync, scheduler, setup.agent);
  let result: OrchestrationResult | undefined;
  let error: unknown;
  orchestrateOrion(setup.orion ?? twoBranches(), {
    bus,
    scheduler,
    synchronizer: sync,
    executeTask: (task) => timer(durations[task.id] ?? 10, scheduler).pipe(map(() => null)),
    ...setup.orchestrate,
  }).subscribe({
    next: (p: OrchestrationProgress) => {
      if (p.kind === "finished") result = p.result;
    },
    error: (e: unknown) => (error = e),
  });
  scheduler.flush();
  sync.dispose();
  const startOf = (taskId: string): number | undefined =>
    result?.timings.find((t) => t.taskId === taskId)?.startedAt;
  return { result, error, events, startOf };
}

describe("orchestrateOrion, scoped starts", () => {
  // a ends at 10 (its answer at 110), b at 20 (its answer at 25).
  const agent: HandAgentOptions = { latency: { a: 100, b: 5, a2: 5, c: 5 } };

  it("whole-orion (default): c waits for a's answer too", () => {
    const { result, startOf } = runScenario({ agent });
    expect(startOf("a2")).toBe(110);
    expect(startOf("c")).toBe(110);
    expect(result?.taskHolds).toEqual([]);
    expect(result?.outcome).toBe("completed");
  });

  it("downstream: c starts when b's answer comes while a2 is held; a2 starts in the turn a's answer comes", () => {
    const { result, startOf, events } = runScenario({ agent, sync: { scope: "downstream" } });
    expect(startOf("c")).toBe(25);
    expect(startOf("a2")).toBe(110);
    // a2 starts inside the answer's delivery (the bus is synchronous, so the recorder hears
    // the start first): in the very turn the hold ends.
    const answer = events.findIndex(
      (e) => e.event.type === "ORION_MODIFIED" && e.event.onTaskIds[0] === "a",
    );
    expect(events[answer - 1]).toMatchObject({
      at: 110,
      event: { type: "TASK_STARTED", taskId: "a2" },
    });
    expect(result?.taskHolds).toEqual([
      { taskId: "c", from: 20, to: 25 },
      { taskId: "a2", from: 10, to: 110 },
    ]);
    // Held: 10 to 110, one period (c's hold lies inside it).
    expect(result?.heldMs).toBe(100);
    expect(result?.scopeViolations).toEqual([]);
    expect(result?.outcome).toBe("completed");
  });

  it("declared: the 'orion' policy narrowed by the agent's ORION_MODIFYING (scoped: true)", () => {
    const { startOf } = runScenario({
      agent: { ...agent, declare: { a: ["a2"], b: ["c"] } },
      orchestrate: { scoped: true },
    });
    expect(startOf("c")).toBe(25);
    expect(startOf("a2")).toBe(110);
  });

  it("a declaration that leaves a task out frees it at once", () => {
    const { startOf } = runScenario({
      agent: { ...agent, declare: { a: [] } },
      orchestrate: { scoped: true },
    });
    // a declared it changes nothing: a2 starts at a's end.
    expect(startOf("a2")).toBe(10);
  });

  it("scoped with a whole-orion modification still holds everything", () => {
    const { startOf } = runScenario({ agent, orchestrate: { scoped: true } });
    expect(startOf("c")).toBe(110);
  });

  it("ungated runs ignore scopes", () => {
    const { startOf } = runScenario({
      agent,
      sync: { scope: "downstream" },
      orchestrate: { gate: false },
    });
    expect(startOf("a2")).toBe(10);
  });
});

describe("orchestrateOrion, scope violations", () => {
  // a's answer (at 110) edits c, which started at 25, outside a's scope {a2}.
  const violating: HandAgentOptions = {
    latency: { a: 100, b: 5, a2: 5, c: 5 },
    declare: { a: ["a2"], b: ["c"] },
    edit: {
      a: (view) => ({
        ...view,
        tasks: { ...view.tasks, c: { ...view.tasks["c"]!, params: { late: true } } },
      }),
    },
  };

  it("reports a change of a started task outside the answered scope", () => {
    const { result } = runScenario({ agent: violating, orchestrate: { scoped: true } });
    expect(result?.scopeViolations).toEqual([
      {
        taskId: "c",
        change: "definition_changed",
        fields: ["params"],
        modification: { taskId: "a", eventId: expect.any(String) as string, seq: 1 },
        at: 110,
      },
    ]);
    expect(result?.outcome).toBe("completed");
  });

  it("counts the violations in the result's statistics", () => {
    const { result } = runScenario({ agent: violating, orchestrate: { scoped: true } });
    expect(result?.statistics?.scopeViolations).toBe(1);
    const inScope = runScenario({
      agent: { ...violating, declare: { a: ["a2", "c"], b: ["c"] } },
      orchestrate: { scoped: true },
    });
    expect(inScope.result?.statistics?.scopeViolations).toBe(0);
  });

  it("an edit inside the scope is not a violation", () => {
    const { result } = runScenario({
      agent: { ...violating, declare: { a: ["a2", "c"], b: ["c"] } },
      orchestrate: { scoped: true },
    });
    // c is in a's scope, so c waited for a's answer: no started task was changed.
    expect(result?.scopeViolations).toEqual([]);
    expect(result?.timings.find((t) => t.taskId === "c")?.startedAt).toBe(110);
  });

  it("reports a removal of a started task", () => {
    const { result } = runScenario({
      agent: {
        ...violating,
        edit: {
          a: (view) => {
            const tasks = Object.fromEntries(
              Object.entries(view.tasks).filter(([id]) => id !== "c"),
            );
            const dependencies = Object.fromEntries(
              Object.entries(view.dependencies).filter(([, d]) => d.toTaskId !== "c"),
            );
            return { ...view, tasks, dependencies };
          },
        },
      },
      orchestrate: { scoped: true },
    });
    expect(result?.scopeViolations.map((v) => [v.taskId, v.change])).toEqual([["c", "removed"]]);
  });

  it("'fail-orion' fails the orion at the violation", () => {
    const { result, events } = runScenario({
      agent: violating,
      orchestrate: { scoped: true, onScopeViolation: "fail-orion" },
    });
    expect(result?.outcome).toBe("failed");
    expect(result?.failure).toMatchObject({ kind: "scope-violation", violation: { taskId: "c" } });
    expect(result?.endedAt).toBe(110);
    expect(result?.orion.tasks["a2"]?.status).toBe("cancelled");
    expect(
      events
        .filter(
          (e) =>
            e.event.type.startsWith("ORION_") &&
            e.event.type !== "ORION_MODIFIED" &&
            e.event.type !== "ORION_MODIFYING",
        )
        .map((e) => e.event.type),
    ).toEqual(["ORION_STARTED", "ORION_FAILED"]);
    expect(events.some((e) => e.event.type === "TASK_STARTED" && e.event.taskId === "a2")).toBe(
      false,
    );
  });
});

describe("orchestrateOrion, timeout policies", () => {
  // a is never answered; the modification timeout is 50 ms (a ends at 10: due at 60).
  const silentOnA: HandAgentOptions = { latency: { b: 5, a2: 5, c: 5 } };

  it("'proceed' (default): a2 starts at the timeout", () => {
    const { result, startOf } = runScenario({
      agent: silentOnA,
      sync: { modificationTimeout: 50 },
    });
    expect(startOf("a2")).toBe(60);
    expect(result?.outcome).toBe("completed");
    expect(result?.statistics?.timeoutModifications).toBe(1);
  });

  it("'fail-orion': the orion fails at the timeout", () => {
    const { result, startOf } = runScenario({
      agent: silentOnA,
      sync: { modificationTimeout: 50 },
      orchestrate: { onTimeout: "fail-orion" },
    });
    expect(startOf("a2")).toBeUndefined();
    expect(result?.outcome).toBe("failed");
    expect(result?.endedAt).toBe(60);
    expect(result?.failure).toEqual({
      kind: "modification-timeout",
      modification: { taskId: "a", eventId: expect.any(String) as string, seq: 1 },
    });
  });

  it("'hold': a2 waits past the deadline for the late answer", () => {
    const { result, startOf } = runScenario({
      agent: { latency: { ...silentOnA.latency, a: 190 } },
      sync: { modificationTimeout: 50, onTimeout: "hold", scope: "downstream" },
      orchestrate: { onTimeout: "hold" },
    });
    expect(startOf("a2")).toBe(200);
    // c, outside a's scope, did not wait.
    expect(startOf("c")).toBe(25);
    expect(result?.outcome).toBe("completed");
    expect(result?.statistics?.timeoutModifications).toBe(0);
  });

  it("'hold' is the default with a holding synchronizer; 'fail-orion' fails it when overdue", () => {
    const held = runScenario({
      agent: { latency: { ...silentOnA.latency, a: 190 } },
      sync: { modificationTimeout: 50, onTimeout: "hold" },
    });
    expect(held.startOf("a2")).toBe(200);
    const failed = runScenario({
      agent: silentOnA,
      sync: { modificationTimeout: 50, onTimeout: "hold" },
      orchestrate: { onTimeout: "fail-orion" },
    });
    expect(failed.result?.failure?.kind).toBe("modification-timeout");
    expect(failed.result?.endedAt).toBe(60);
  });

  it("refuses policies the synchronizer cannot keep", () => {
    const bus = createEventBus();
    const proceeding = new OrionModificationSynchronizer();
    const holding = new OrionModificationSynchronizer({ onTimeout: "hold" });
    const base = { bus, executeTask: () => null };
    expect(() =>
      orchestrateOrion(twoBranches(), { ...base, synchronizer: proceeding, onTimeout: "hold" }),
    ).toThrow(/needs a synchronizer made with onTimeout: 'hold'/);
    expect(() => orchestrateOrion(twoBranches(), { ...base, onTimeout: "hold" })).toThrow(
      RangeError,
    );
    expect(() =>
      orchestrateOrion(twoBranches(), { ...base, synchronizer: holding, onTimeout: "proceed" }),
    ).toThrow(RangeError);
    expect(() =>
      orchestrateOrion(twoBranches(), {
        ...base,
        onScopeViolation: "explode" as unknown as "report",
      }),
    ).toThrow(/onScopeViolation/);
    proceeding.dispose();
    holding.dispose();
  });
});
