import { lastValueFrom, NEVER, of, timer, map, toArray } from "rxjs";
import type { TestScheduler } from "rxjs/testing";
import { describe, expect, it } from "vitest";
import { createEventBus } from "../../src/bus.js";
import type { OrionEvent } from "../../src/events.js";
import { orion } from "../../src/orion/orion.js";
import { InvalidOrionError } from "../../src/orion/errors.js";
import { orchestrateOrion } from "../../src/orchestrator/orchestrateOrion.js";
import { runOrion } from "../../src/orchestrator/runOrion.js";
import { createOrchestrator } from "../../src/orchestrator/createOrchestrator.js";
import type {
  ExecuteTask,
  ExecuteTaskContext,
  OrchestrationProgress,
  OrchestrationResult,
} from "../../src/orchestrator/types.js";
import { OrionModificationSynchronizer } from "../../src/synchronizer.js";
import { createTestAgent, virtualTime } from "../../testing/index.js";

function recordBus() {
  const bus = createEventBus();
  const events: OrionEvent[] = [];
  bus.subscribe({ onEvent: (e) => events.push(e) });
  return { bus, events };
}

const describeEvent = (e: OrionEvent): string => ("taskId" in e ? `${e.type}:${e.taskId}` : e.type);

/** Runs to the end in virtual time and returns the result. */
function runVirtual(progress$: ReturnType<typeof orchestrateOrion>, scheduler: TestScheduler) {
  let result: OrchestrationResult | undefined;
  let error: unknown;
  progress$.subscribe({
    next: (p: OrchestrationProgress) => {
      if (p.kind === "finished") result = p.result;
    },
    error: (e: unknown) => (error = e),
  });
  scheduler.flush();
  return { result, error };
}

/** Every progress value of an orchestration of one task, `a`, that returns "r". */
const oneTaskProgress = () =>
  lastValueFrom(
    orchestrateOrion(orion("o").task("a").build(), {
      bus: createEventBus(),
      executeTask: () => of("r"),
    }).pipe(toArray()),
  );

const diamond = () =>
  orion("o1")
    .task("a", { priority: 2 })
    .task("b", { after: "a", priority: 3 })
    .task("c", { after: "a", priority: 1 })
    .task("d", { after: ["b", "c"] })
    .build();

describe("orchestrateOrion", () => {
  it("publishes UFO's event order and runs every task, in virtual time", () => {
    const { scheduler } = virtualTime();
    const { bus, events } = recordBus();
    const { result } = runVirtual(
      orchestrateOrion(diamond(), {
        bus,
        scheduler,
        executeTask: (task) => timer(10, scheduler).pipe(map(() => `${task.id}-done`)),
      }),
      scheduler,
    );
    expect(events.map(describeEvent)).toEqual([
      "ORION_STARTED",
      "TASK_STARTED:a",
      "TASK_COMPLETED:a",
      "TASK_STARTED:b",
      "TASK_STARTED:c",
      "TASK_COMPLETED:b",
      "TASK_COMPLETED:c",
      "TASK_STARTED:d",
      "TASK_COMPLETED:d",
      "ORION_COMPLETED",
    ]);
    const completedA = events[2] as OrionEvent & { newlyReadyTaskIds?: readonly string[] };
    expect(completedA.newlyReadyTaskIds).toEqual(["b", "c"]);
    expect(result?.outcome).toBe("completed");
    expect(result?.orion.tasks["d"]?.result).toBe("d-done");
    expect(result?.endedAt).toBe(30);
    expect(result?.timings.find((t) => t.taskId === "d")).toMatchObject({
      startedAt: 20,
      endedAt: 30,
    });
  });

  it("respects maxConcurrency, highest priority first", () => {
    const { scheduler } = virtualTime();
    const { bus, events } = recordBus();
    const wide = orion("o1")
      .task("x", { priority: 1 })
      .task("y", { priority: 4 })
      .task("z", { priority: 2 })
      .build();
    runVirtual(
      orchestrateOrion(wide, {
        bus,
        scheduler,
        maxConcurrency: 1,
        executeTask: () => timer(5, scheduler),
      }),
      scheduler,
    );
    expect(events.filter((e) => e.type === "TASK_STARTED").map(describeEvent)).toEqual([
      "TASK_STARTED:y",
      "TASK_STARTED:z",
      "TASK_STARTED:x",
    ]);
  });

  it("fails a task whose executeTask throws, rejects or errors; dependents follow the rules", async () => {
    const { bus, events } = recordBus();
    const plan = orion("o1")
      .task("t")
      .task("r")
      .task("s", { after: "t" }) // success_only: blocked
      .task("u", { after: "r", dependencyType: "completion_only" }) // runs anyway
      .build();
    const result = await runOrion(plan, {
      bus,
      executeTask: (task) => {
        if (task.id === "t") throw new Error("sync boom");
        if (task.id === "r") return Promise.reject(new Error("async boom"));
        return 42;
      },
    });
    expect(result.outcome).toBe("failed");
    expect(result.orion.tasks["t"]?.error).toEqual({ name: "Error", message: "sync boom" });
    expect(result.orion.tasks["r"]?.status).toBe("failed");
    expect(result.orion.tasks["u"]).toMatchObject({ status: "completed", result: 42 });
    expect(result.blocked.map((b) => b.task.id)).toEqual(["s"]);
    expect(events.at(-1)?.type).toBe("ORION_FAILED");
  });

  it("runs a chain of 2,000 instant tasks without growing the stack", async () => {
    let plan = orion("long").task("t0");
    for (let i = 1; i < 2000; i++) plan = plan.task(`t${i}`, { after: `t${i - 1}` });
    const result = await runOrion(plan.build(), { bus: createEventBus(), executeTask: () => null });
    expect(result.outcome).toBe("completed");
    expect(result.timings).toHaveLength(2000);
  });

  it("cancels on abort: running tasks get the signal, the rest are cancelled", () => {
    const { scheduler } = virtualTime();
    const { bus, events } = recordBus();
    const controller = new AbortController();
    const signals: AbortSignal[] = [];
    const progress$ = orchestrateOrion(diamond(), {
      bus,
      scheduler,
      signal: controller.signal,
      executeTask: (_task, { signal }) => {
        signals.push(signal);
        return NEVER;
      },
    });
    let result: OrchestrationResult | undefined;
    progress$.subscribe((p) => {
      if (p.kind === "finished") result = p.result;
    });
    controller.abort();
    expect(signals[0]?.aborted).toBe(true);
    expect(result?.outcome).toBe("cancelled");
    expect(Object.values(result?.orion.tasks ?? {}).every((t) => t.status === "cancelled")).toBe(
      true,
    );
    expect(events.at(-1)?.type).toBe("ORION_FAILED");
  });

  it("unsubscribing aborts running tasks", () => {
    const signals: AbortSignal[] = [];
    const sub = orchestrateOrion(diamond(), {
      bus: createEventBus(),
      executeTask: (_t, { signal }) => (signals.push(signal), NEVER),
    }).subscribe();
    sub.unsubscribe();
    expect(signals[0]?.aborted).toBe(true);
  });

  it("refuses an invalid orion with the validation error", async () => {
    const cyclic = orion("bad").task("a", { after: "b" }).task("b", { after: "a" }).build();
    await expect(
      lastValueFrom(orchestrateOrion(cyclic, { bus: createEventBus(), executeTask: () => null })),
    ).rejects.toBeInstanceOf(InvalidOrionError);
    expect(() =>
      orchestrateOrion(cyclic, {
        bus: createEventBus(),
        executeTask: () => null,
        maxConcurrency: 0,
      }),
    ).toThrow(RangeError);
  });

  it("finishes an empty orion at once", async () => {
    const { bus, events } = recordBus();
    const result = await runOrion(orion("empty").build(), { bus, executeTask: () => null });
    expect(result.outcome).toBe("completed");
    expect(events.map((e) => e.type)).toEqual(["ORION_STARTED", "ORION_COMPLETED"]);
  });

  it("emits each published event with the orion it produced", async () => {
    const progress = await oneTaskProgress();
    const kinds = progress.map((p) => (p.kind === "event" ? describeEvent(p.event) : p.kind));
    expect(kinds).toEqual([
      "ORION_STARTED",
      "TASK_STARTED:a",
      "TASK_COMPLETED:a",
      "ORION_COMPLETED",
      "finished",
    ]);
    const started = progress[1];
    expect(started?.kind === "event" && started.orion.tasks["a"]?.status).toBe("running");
  });

  it("writes a progress event as JSON with its orion, as read then, and in the order of its type", async () => {
    const progress = await oneTaskProgress();
    const started = progress[1];
    const written = JSON.parse(JSON.stringify(started)) as Record<string, unknown>;
    expect(Object.keys(written)).toEqual(["kind", "at", "event", "orion", "running"]);
    expect(written["orion"]).toEqual(
      JSON.parse(JSON.stringify(started?.kind === "event" && started.orion)),
    );
    expect(
      (written["orion"] as { tasks: Record<string, { status: string }> }).tasks["a"]?.status,
    ).toBe("running");
  });

  it("emits progress events whose orion a spread, a structured clone and a proxy all see", async () => {
    const started = (await oneTaskProgress())[1];
    if (started?.kind !== "event") throw new Error("no progress event");
    expect(Object.keys(started)).toEqual(["kind", "at", "event", "orion", "running"]);
    expect({ ...started }.orion).toBe(started.orion);
    expect(structuredClone(started).orion.tasks["a"]?.status).toBe("running");
    expect(new Proxy(started, {}).orion).toBe(started.orion);
  });

  it("hands executeTask a context that a wrapper may spread: its signal still cancels", async () => {
    const controller = new AbortController();
    let copied: AbortSignal | undefined;
    let status: string | undefined;
    const inner: ExecuteTask = (_task, context) => {
      copied = context.signal;
      status = context.orion.tasks["a"]?.status;
      controller.abort(); // cancels the orchestration while the task runs
      return NEVER;
    };
    const result = await runOrion(orion("o").task("a").build(), {
      bus: createEventBus(),
      signal: controller.signal,
      executeTask: (task, context) => inner(task, { ...context, attempt: 1 } as ExecuteTaskContext),
    });
    expect(result.outcome).toBe("cancelled");
    expect(status).toBe("running");
    expect(copied?.aborted).toBe(true);
  });

  it("hands executeTask a context that a proxy or a derived object reads in full", async () => {
    let seen: { status: string | undefined; signal: boolean } | undefined;
    await runOrion(orion("o").task("a").build(), {
      bus: createEventBus(),
      executeTask: (_task, context) => {
        const derived = Object.create(context) as ExecuteTaskContext;
        const proxied = new Proxy(context, {});
        seen = {
          status: derived.orion.tasks["a"]?.status,
          signal: proxied.signal === context.signal && derived.signal === context.signal,
        };
        return null;
      },
    });
    expect(seen).toEqual({ status: "running", signal: true });
  });

  it("hands executeTask a context whose fields destructure and write as JSON", async () => {
    let seen: { aborted: boolean; status: string | undefined; keys: string[] } | undefined;
    await runOrion(orion("o").task("a").build(), {
      bus: createEventBus(),
      executeTask: (_task, context) => {
        const { signal, orion: atStart } = context;
        seen = {
          aborted: signal.aborted,
          status: atStart.tasks["a"]?.status,
          keys: Object.keys(JSON.parse(JSON.stringify(context)) as object),
        };
        return null;
      },
    });
    expect(seen).toEqual({ aborted: false, status: "running", keys: ["signal", "orion"] });
  });

  it("honours orchestrator.setModificationSynchronizer(sync) and holds tasks while it has work pending", () => {
    const { scheduler } = virtualTime();
    const bus = createEventBus();
    const sync = new OrionModificationSynchronizer({ scheduler });
    bus.subscribe(sync);
    const orchestrator = createOrchestrator({
      bus,
      scheduler,
      executeTask: () => timer(10, scheduler),
    });
    orchestrator.setModificationSynchronizer(sync);
    expect(orchestrator.getModificationSynchronizer()).toBe(sync);
    // An agent that answers each completion 100 ms later, without edits.
    createTestAgent(bus, { scheduler, latency: 100 });
    const { result } = runVirtual(
      orchestrator.orchestrate(orion("o1").task("a").task("b", { after: "a" }).build()),
      scheduler,
    );
    // a: 0-10, held 10-110, b: 110-120, then held again until 220 before finishing.
    expect(result?.timings.find((t) => t.taskId === "b")?.startedAt).toBe(110);
    expect(result?.heldMs).toBe(200);
    expect(result?.statistics).toMatchObject({ totalModifications: 2, completedModifications: 2 });
    sync.dispose();
  });
});

describe("orchestrateOrion when things go wrong", () => {
  it("ignores a malformed agent orion as an invalid event: neither the run nor the process fails", () => {
    const { scheduler } = virtualTime();
    const bus = createEventBus();
    const sync = new OrionModificationSynchronizer({ scheduler });
    bus.subscribe(sync);
    bus.events$.subscribe((e) => {
      if (e.type === "TASK_COMPLETED") {
        timer(5, scheduler).subscribe(() =>
          bus.publish({
            type: "ORION_MODIFIED",
            orionId: "o1",
            onTaskIds: [e.taskId],
            newOrion: { id: "o1", state: "ready", tasks: { b: null }, dependencies: {} } as never,
          }),
        );
      }
    });
    const { result, error } = runVirtual(
      orchestrateOrion(orion("o1").task("a").task("b", { after: "a" }).build(), {
        bus,
        scheduler,
        synchronizer: sync,
        executeTask: () => timer(10, scheduler),
      }),
      scheduler,
    );
    // parseOrionEvent rejects a task that is not an object: the answer is ignored (counted),
    // its modification times out, and the run completes.
    expect(error).toBeUndefined();
    expect(result?.outcome).toBe("completed");
    expect(sync.getStatistics().invalidEvents).toBe(2);
    sync.dispose();
  });

  it("errors with GateStateEndedError when the synchronizer is disposed while tasks are held", () => {
    const { scheduler, advance } = virtualTime();
    const bus = createEventBus();
    const sync = new OrionModificationSynchronizer({ scheduler });
    bus.subscribe(sync);
    let error: unknown;
    orchestrateOrion(orion("o1").task("a").task("b", { after: "a" }).build(), {
      bus,
      scheduler,
      synchronizer: sync,
      executeTask: () => timer(10, scheduler),
    }).subscribe({ error: (e: unknown) => (error = e) });
    advance(20); // a completes at 10; nobody answers; b is held
    sync.dispose();
    expect((error as Error | undefined)?.name).toBe("GateStateEndedError");
  });

  it("goes on when the agent makes a running task terminal", () => {
    const { scheduler } = virtualTime();
    const bus = createEventBus();
    const sync = new OrionModificationSynchronizer({ scheduler });
    bus.subscribe(sync);
    const plan = orion("o1").task("a").task("slow").task("b", { after: "a" }).build();
    bus.events$.subscribe((e) => {
      if (e.type === "TASK_COMPLETED" && e.taskId === "a") {
        const current = sync.getCurrentOrion("o1");
        const slow = current?.tasks["slow"];
        if (current && slow) {
          bus.publish({
            type: "ORION_MODIFIED",
            orionId: "o1",
            onTaskIds: ["a"],
            newOrion: {
              ...current,
              tasks: { ...current.tasks, slow: { ...slow, status: "cancelled" } },
            },
          });
        }
      } else if (e.type === "TASK_COMPLETED") {
        bus.publish({ type: "ORION_MODIFIED", orionId: "o1", onTaskIds: [e.taskId] });
      }
    });
    const { result, error } = runVirtual(
      orchestrateOrion(plan, {
        bus,
        scheduler,
        synchronizer: sync,
        executeTask: (task) => timer(task.id === "slow" ? 50 : 10, scheduler),
      }),
      scheduler,
    );
    expect(error).toBeUndefined();
    expect(result?.orion.tasks["b"]?.status).toBe("completed");
    sync.dispose();
  });

  it("runs a task without a priority (the default, 2) before a priority-1 task", () => {
    const { scheduler } = virtualTime();
    const { bus, events } = recordBus();
    const plan = orion("o1").task("low", { priority: 1 }).task("plain").build();
    runVirtual(
      orchestrateOrion(plan, {
        bus,
        scheduler,
        maxConcurrency: 1,
        executeTask: () => timer(5, scheduler),
      }),
      scheduler,
    );
    expect(events.filter((e) => e.type === "TASK_STARTED").map(describeEvent)).toEqual([
      "TASK_STARTED:plain",
      "TASK_STARTED:low",
    ]);
  });
});
