/**
 * Bad input into the reference orchestrator (`orchestrateOrion`): invalid orions, executors
 * that throw, return non-promises, reject with non-errors or never settle, subscribers that
 * throw, and an agent that sends bad orions mid-run. Rows O1-O10 of docs/bad-input.md.
 */
import { map, timer, type Observable } from "rxjs";
import { describe, expect, it } from "vitest";
import { createEventBus } from "../../src/bus.js";
import type { OrionEvent } from "../../src/events.js";
import { orchestrateOrion } from "../../src/orchestrator/orchestrateOrion.js";
import type {
  ExecuteTask,
  OrchestrateOptions,
  OrchestrationProgress,
  OrchestrationResult,
} from "../../src/orchestrator/types.js";
import { InvalidOrionError } from "../../src/orion/errors.js";
import { orion } from "../../src/orion/orion.js";
import type { TaskOrion } from "../../src/orion/types.js";
import { OrionModificationSynchronizer } from "../../src/synchronizer.js";
import { virtualTime } from "../../testing/index.js";

interface Run {
  readonly progress: OrchestrationProgress[];
  readonly published: OrionEvent[];
  readonly result: () => OrchestrationResult | undefined;
  readonly error: () => unknown;
}

/** Subscribes to an orchestration and records everything (it may finish synchronously). */
function run(
  plan: TaskOrion,
  options: Omit<OrchestrateOptions, "bus"> & Partial<OrchestrateOptions>,
): Run {
  const published: OrionEvent[] = [];
  const bus = options.bus ?? createEventBus();
  const own = createEventBus();
  own.subscribe({ onEvent: (e) => published.push(e) });
  const progress: OrchestrationProgress[] = [];
  let error: unknown;
  orchestrateOrion(plan, {
    ...options,
    bus: { publish: (e) => (own.publish(e), bus.publish(e)) },
  }).subscribe({ next: (p) => progress.push(p), error: (e: unknown) => (error = e) });
  return {
    progress,
    published,
    result: () => {
      const last = progress[progress.length - 1];
      return last?.kind === "finished" ? last.result : undefined;
    },
    error: () => error,
  };
}

/** a -> b, and c on its own: c's fate shows what happens to unrelated work. */
const plan = (): TaskOrion => orion("o1").task("a").task("b", { after: "a" }).task("c").build();

const status = (r: Run, id: string): string | undefined => r.result()?.orion.tasks[id]?.status;

describe("orchestrator: invalid orions", () => {
  it.each([
    [
      "O1 a cycle",
      orion("o1").task("a", { after: "b" }).task("b", { after: "a" }).build(),
      "cycle",
    ],
    ["O2 a self-loop", orion("o1").task("a").dependency("a", "a").build(), "self_dependency"],
    [
      "O3 a dependency to a missing task",
      orion("o1").task("a").dependency("ghost", "a").build(),
      "missing_task",
    ],
  ])("%s: an InvalidOrionError notification, nothing published or run", (_, bad, kind) => {
    const calls: string[] = [];
    const r = run(bad, { executeTask: (t) => void calls.push(t.id) });
    expect(r.error()).toBeInstanceOf(InvalidOrionError);
    expect((r.error() as InvalidOrionError).errors.map((e) => e.kind)).toContain(kind);
    expect(r.published).toEqual([]);
    expect(calls).toEqual([]);
  });
});

describe("orchestrator: executors that misbehave", () => {
  it("O4 executeTask throws synchronously: that task fails, unrelated tasks complete", () => {
    const r = run(plan(), {
      executeTask: (t) => {
        if (t.id === "a") throw new RangeError("sync boom");
        return "ok";
      },
    });
    expect(r.error()).toBeUndefined();
    expect(r.result()?.outcome).toBe("failed");
    expect(r.result()?.orion.tasks["a"]).toMatchObject({
      status: "failed",
      error: { name: "RangeError", message: "sync boom" },
    });
    expect(status(r, "c")).toBe("completed");
    expect(status(r, "b")).toBe("pending"); // success_only: blocked, reported
    expect(r.result()?.blocked.map((x) => x.task.id)).toEqual(["b"]);
    expect(r.published.map((e) => e.type)).toContain("TASK_FAILED");
  });

  it("O5 executeTask returns non-promises: a number, an object, undefined", () => {
    const values: Record<string, unknown> = { a: 42, b: { k: [1] }, c: undefined };
    const r = run(plan(), { executeTask: ((t) => values[t.id]) as ExecuteTask });
    expect(r.result()?.outcome).toBe("completed");
    expect(r.result()?.orion.tasks["a"]?.result).toBe(42);
    expect(r.result()?.orion.tasks["b"]?.result).toEqual({ k: [1] });
    expect(r.result()?.orion.tasks["c"]).not.toHaveProperty("result");
  });

  it("O6 executeTask rejects with a non-Error (a string, undefined, circular and unprintable objects)", async () => {
    const circular: Record<string, unknown> = {};
    circular["self"] = circular;
    const unprintable = Object.create(null) as Record<string, unknown>;
    unprintable["self"] = unprintable; // neither JSON.stringify nor String() can print it
    const reasons: Record<string, unknown> = {
      a: "nope",
      b: undefined,
      c: circular,
      d: unprintable,
    };
    const result = await new Promise<OrchestrationResult>((resolve, reject) => {
      orchestrateOrion(orion("o1").task("a").task("b").task("c").task("d").build(), {
        bus: createEventBus(),
        executeTask: (t) => Promise.reject(reasons[t.id]),
      }).subscribe({
        next: (p) => p.kind === "finished" && resolve(p.result),
        error: reject,
      });
    });
    expect(result.outcome).toBe("failed");
    expect(result.orion.tasks["a"]).toMatchObject({ status: "failed", error: "nope" });
    expect(result.orion.tasks["b"]).toMatchObject({ status: "failed", error: null });
    expect(result.orion.tasks["c"]).toMatchObject({ status: "failed", error: "[object Object]" });
    expect(result.orion.tasks["d"]).toMatchObject({
      status: "failed",
      error: "a value that cannot be printed",
    });
  }, 10_000); // a hang guard: without the fix, the task stays running forever

  it("O7 executeTask never settles: the task stays running until aborted, then cancelled", () => {
    const signals: AbortSignal[] = [];
    const abort = new AbortController();
    const r = run(plan(), {
      signal: abort.signal,
      executeTask: (t, { signal }) => {
        if (t.id !== "a") return "ok";
        signals.push(signal);
        return new Promise<never>(() => undefined);
      },
    });
    expect(r.result()).toBeUndefined();
    const running = r.progress[r.progress.length - 1];
    expect(running).toMatchObject({ kind: "event", running: 1 });
    expect(running?.kind === "event" && running.orion.tasks["a"]?.status).toBe("running");
    expect(running?.kind === "event" && running.orion.tasks["c"]?.status).toBe("completed");
    abort.abort();
    expect(signals[0]?.aborted).toBe(true);
    expect(r.result()?.outcome).toBe("cancelled");
    expect(status(r, "a")).toBe("cancelled");
    expect(status(r, "c")).toBe("completed"); // finished work is kept
    expect(r.published[r.published.length - 1]?.type).toBe("ORION_FAILED");
  });
});

describe("orchestrator: other parties misbehave", () => {
  it("O8 a bus subscriber throws inside onEvent: reported, the run and the synchronizer go on", () => {
    const { scheduler } = virtualTime();
    const reported: string[] = [];
    const bus = createEventBus({ onSubscriberError: (_, e) => void reported.push(e.type) });
    const sync = new OrionModificationSynchronizer({ scheduler });
    bus.subscribe({
      onEvent: () => {
        throw new Error("subscriber");
      },
    });
    bus.subscribe(sync);
    bus.subscribe({
      onEvent: (e) => {
        if (e.type === "TASK_COMPLETED") {
          bus.publish({ type: "ORION_MODIFIED", orionId: e.orionId, onTaskIds: [e.taskId] });
        }
      },
    });
    const r = run(plan(), { bus, synchronizer: sync, scheduler, executeTask: () => "ok" });
    expect(r.result()?.outcome).toBe("completed");
    expect(reported).toContain("ORION_STARTED");
    expect(reported.filter((t) => t === "TASK_COMPLETED")).toHaveLength(3);
    expect(sync.getStatistics()).toMatchObject({
      totalModifications: 3,
      completedModifications: 3,
    });
  });

  it("O11 the bus's publish throws on a task's end: the run fails with that error, what runs is cancelled", () => {
    const { scheduler, flush } = virtualTime();
    const broken = new Error("broker down");
    const events = createEventBus();
    const bus = {
      publish: (e: OrionEvent) => {
        if (e.type === "TASK_COMPLETED" && e.taskId === "a") throw broken;
        events.publish(e);
      },
    };
    const aborted: string[] = [];
    const r = run(plan(), {
      bus,
      scheduler,
      executeTask: (t, { signal }) => {
        signal.addEventListener("abort", () => aborted.push(t.id));
        // `c` is still running when `a`'s end fails to publish.
        return t.id === "a"
          ? timer(10, scheduler).pipe(map(() => "ok"))
          : new Promise<string>(() => undefined);
      },
    });
    flush();
    expect(r.error()).toBe(broken);
    expect(aborted).toEqual(["c"]);
    expect(r.result()).toBeUndefined();
  });

  function agentRun(newOrion: unknown) {
    const time = virtualTime();
    const errors: string[] = [];
    const bus = createEventBus();
    const sync = new OrionModificationSynchronizer({
      scheduler: time.scheduler,
      modificationTimeout: 1000,
      logger: {
        debug: () => undefined,
        info: () => undefined,
        warn: () => undefined,
        error: (m) => void errors.push(m),
      },
    });
    bus.subscribe(sync);
    bus.subscribe({
      onEvent: (e) => {
        if (e.type !== "TASK_COMPLETED") return;
        bus.publish({
          type: "ORION_MODIFIED",
          orionId: e.orionId,
          onTaskIds: [e.taskId],
          ...(e.taskId === "a" ? { newOrion } : {}),
        } as OrionEvent);
      },
    });
    const work = (): Observable<string> => timer(10, time.scheduler).pipe(map(() => "ok"));
    const r = run(plan(), {
      bus,
      synchronizer: sync,
      scheduler: time.scheduler,
      executeTask: work,
    });
    time.flush();
    return { r, sync, errors };
  }

  it("O9 the agent's newOrion has a cycle: the merge keeps the orchestrator's orion, logged", () => {
    const cyclic = orion("o1")
      .task("a", { after: "b" })
      .task("b", { after: "a" })
      .task("c")
      .build();
    const { r, sync, errors } = agentRun(cyclic);
    expect(r.error()).toBeUndefined();
    expect(r.result()?.outcome).toBe("completed");
    expect(errors.join("\n")).toMatch(
      /the agent's orion is invalid; keeping the orchestrator's: .*cycle/,
    );
    expect(sync.getStatistics()).toMatchObject({
      completedModifications: 3,
      timeoutModifications: 0,
    });
  });

  it("O10 the agent's newOrion has a null task: the answer is invalid, a times out, the run ends", () => {
    const bad = { id: "o1", state: "created", tasks: { a: null }, dependencies: {} };
    const { r, sync } = agentRun(bad);
    expect(r.error()).toBeUndefined();
    expect(r.result()?.outcome).toBe("completed");
    expect(sync.getStatistics()).toMatchObject({
      invalidEvents: 1,
      timeoutModifications: 1,
      completedModifications: 2,
    });
    expect(r.result()?.heldMs).toBeGreaterThanOrEqual(1000);
  });
});
