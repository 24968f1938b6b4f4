import { Observable, Subscription } from "rxjs";
import { describe, expect, it } from "vitest";
import { createEventBus } from "../../src/bus.js";
import type { OrionEvent } from "../../src/events.js";
import { orion } from "../../src/orion/orion.js";
import type { TaskOrion } from "../../src/orion/types.js";
import { orchestrateOrion } from "../../src/orchestrator/orchestrateOrion.js";
import type {
  ExecuteTask,
  ExecuteTaskContext,
  OrchestrateOptions,
  OrchestrationResult,
} from "../../src/orchestrator/types.js";

// What a task's result may do (a `then` that throws, an observable from elsewhere, settling
// after the orchestration was cancelled), and a task cancelled at its start. Nothing here waits
// for real time: each run is synchronous or settles within a few microtasks, so a run that
// hangs shows as "still running after every microtask ran", not as a timeout.

/**
 * Lets every promise callback that is ready run: a task's promise and a recorded start each
 * settle within one or two, so ten rounds are plenty.
 */
async function drainMicrotasks(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

const describeEvent = (e: OrionEvent): string => ("taskId" in e ? `${e.type}:${e.taskId}` : e.type);

/** `a`, then `b` once `a` ended however it did. */
const aThenB = (): TaskOrion =>
  orion("o").task("a").task("b", { after: "a", dependencyType: "completion_only" }).build();

/** `a` runs `resultOfA`, `b` returns "ok". */
const withA =
  (resultOfA: () => unknown): ExecuteTask =>
  (task) =>
    task.id === "a" ? (resultOfA() as never) : "ok";

interface Watched {
  /** What the bus saw, as `TYPE:taskId`. */
  readonly events: string[];
  result?: OrchestrationResult;
  error?: unknown;
  /** Completed or errored. */
  ended: boolean;
  /** `Subscription.EMPTY` until `subscribe` returns. */
  subscription: Subscription;
}

/** Subscribes to the orchestration of `plan` and records it; `onProgress` sees each progress. */
function watch(
  plan: TaskOrion,
  options: Omit<OrchestrateOptions, "bus">,
  onProgress: (progress: string, watched: Watched) => void = () => undefined,
): Watched {
  const bus = createEventBus();
  const watched: Watched = { events: [], ended: false, subscription: Subscription.EMPTY };
  bus.subscribe({ onEvent: (e) => watched.events.push(describeEvent(e)) });
  watched.subscription = orchestrateOrion(plan, { bus, ...options }).subscribe({
    next: (p) => {
      if (p.kind === "finished") watched.result = p.result;
      onProgress(p.kind === "event" ? describeEvent(p.event) : p.kind, watched);
    },
    error: (e: unknown) => {
      watched.error = e;
      watched.ended = true;
    },
    complete: () => (watched.ended = true),
  });
  return watched;
}

/** A thenable whose `then` throws (a broken promise library, a proxy that refuses). */
const throwingThen = {
  then(): never {
    throw new Error("then exploded");
  },
};

describe("orchestrateOrion: a task's result", () => {
  it("fails only the task when its thenable's then throws", () => {
    const run = watch(aThenB(), { executeTask: withA(() => throwingThen) });
    expect(run.error).toBeUndefined();
    expect(run.result?.orion.tasks["a"]).toMatchObject({
      status: "failed",
      error: { name: "Error", message: "then exploded" },
    });
    expect(run.result?.orion.tasks["b"]?.status).toBe("completed");
    expect(run.events).toContain("TASK_FAILED:a");
  });

  it("fails only the task when reading its result's then throws (a revoked proxy)", () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const run = watch(aThenB(), { executeTask: withA(() => proxy) });
    expect(run.error).toBeUndefined();
    expect(run.result?.orion.tasks["a"]?.status).toBe("failed");
    expect(run.result?.orion.tasks["b"]?.status).toBe("completed");
  });

  it("keeps the value a thenable resolved with before its then threw", () => {
    const resolvesThenThrows = {
      then(resolve: (value: string) => void): never {
        resolve("early");
        throw new Error("after resolving");
      },
    };
    const run = watch(aThenB(), { executeTask: withA(() => resolvesThenThrows) });
    expect(run.error).toBeUndefined();
    expect(run.result?.outcome).toBe("completed");
    expect(run.result?.orion.tasks["a"]?.result).toBe("early");
  });

  it("with recordStart, fails only the task when its thenable's then throws, and the orchestration ends", async () => {
    const run = watch(aThenB(), {
      recordStart: () => Promise.resolve(),
      executeTask: withA(() => throwingThen),
    });
    await drainMicrotasks();
    expect(run.ended, "the orchestration still runs after every microtask ran").toBe(true);
    expect(run.error).toBeUndefined();
    expect(run.result?.orion.tasks["a"]?.status).toBe("failed");
    expect(run.result?.orion.tasks["b"]?.status).toBe("completed");
  });

  it("takes the last value of an observable-like without pipe (another RxJS, hand-rolled)", () => {
    const observableKey = (Symbol as { observable?: symbol }).observable ?? "@@observable";
    const foreign: object = {
      lift: (): unknown => foreign,
      subscribe(observer: { next(value: string): void; complete(): void }) {
        observer.next("first");
        observer.next("foreign");
        observer.complete();
        return { unsubscribe: () => undefined, closed: true };
      },
      [observableKey]() {
        return this;
      },
    };
    const run = watch(aThenB(), { executeTask: withA(() => foreign) });
    expect(run.error).toBeUndefined();
    expect(run.result?.orion.tasks["a"]).toMatchObject({ status: "completed", result: "foreign" });
  });

  it("publishes nothing for a promise that settles after the consumer unsubscribed", async () => {
    let settle: (value: string) => void = () => undefined;
    const run = watch(aThenB(), {
      executeTask: () => new Promise<string>((resolve) => (settle = resolve)),
    });
    run.subscription.unsubscribe();
    settle("late");
    await drainMicrotasks();
    expect(run.events).toEqual(["ORION_STARTED", "TASK_STARTED:a"]);
  });

  it("unsubscribes from an observable task on cancellation, and publishes nothing it emits after", () => {
    const tornDown: string[] = [];
    let emit: (value: string) => void = () => undefined;
    const run = watch(orion("o").task("a").build(), {
      executeTask: (task) =>
        new Observable<string>((subscriber) => {
          emit = (value) => {
            subscriber.next(value);
            subscriber.error(new Error("after the cancellation"));
          };
          return () => tornDown.push(task.id);
        }),
    });
    run.subscription.unsubscribe();
    emit("late");
    expect(tornDown).toEqual(["a"]);
    expect(run.events).toEqual(["ORION_STARTED", "TASK_STARTED:a"]);
  });
});

describe("orchestrateOrion: a task cancelled at its start", () => {
  it("never runs when the consumer aborts the signal on its TASK_STARTED", () => {
    const controller = new AbortController();
    const ran: string[] = [];
    const run = watch(
      orion("o").task("a").build(),
      {
        signal: controller.signal,
        executeTask: (task) => (ran.push(task.id), "done"),
      },
      (progress) => {
        if (progress === "TASK_STARTED:a") controller.abort();
      },
    );
    expect(ran).toEqual([]);
    expect(run.result?.outcome).toBe("cancelled");
  });

  it("with recordStart, never runs when the consumer unsubscribes on its TASK_STARTED", async () => {
    const ran: string[] = [];
    const run = watch(
      orion("o").task("a").build(),
      {
        recordStart: () => Promise.resolve(),
        executeTask: (task) => (ran.push(task.id), "done"),
      },
      (progress, watched) => {
        if (progress === "TASK_STARTED:a") watched.subscription.unsubscribe();
      },
    );
    await drainMicrotasks();
    expect(run.subscription.closed).toBe(true);
    expect(ran).toEqual([]);
  });

  it("with recordStart, never runs when the orchestration is cancelled while its start is recorded", async () => {
    const controller = new AbortController();
    const ran: string[] = [];
    let record: () => void = () => undefined;
    const run = watch(orion("o").task("a").task("b").build(), {
      signal: controller.signal,
      recordStart: (event) =>
        event.taskId === "a" ? Promise.resolve() : new Promise<void>((r) => (record = r)),
      executeTask: (task) => (ran.push(task.id), new Promise(() => undefined)),
    });
    await drainMicrotasks();
    expect(ran).toEqual(["a"]);
    controller.abort();
    record();
    await drainMicrotasks();
    expect(ran).toEqual(["a"]);
    expect(run.result?.outcome).toBe("cancelled");
  });
});

describe("orchestrateOrion: the signal a task gets, made when first read", () => {
  it("is aborted, with the cancellation's reason, when first read after the consumer unsubscribed", () => {
    const contexts = new Map<string, ExecuteTaskContext>();
    const run = watch(orion("o").task("a").build(), {
      executeTask: (task, context) => (
        contexts.set(task.id, context),
        new Promise(() => undefined)
      ),
    });
    run.subscription.unsubscribe();
    const signal = contexts.get("a")!.signal;
    expect(signal.aborted).toBe(true);
    expect((signal.reason as Error).message).toBe("orchestration cancelled");
    expect(contexts.get("a")!.signal).toBe(signal);
  });

  it("is not aborted for a task that ended before the cancellation", () => {
    const contexts = new Map<string, ExecuteTaskContext>();
    const run = watch(orion("o").task("a").task("b").build(), {
      executeTask: (task, context) => {
        contexts.set(task.id, context);
        return task.id === "a" ? "done" : new Promise(() => undefined);
      },
    });
    run.subscription.unsubscribe();
    expect(contexts.get("a")!.signal.aborted).toBe(false);
    expect(contexts.get("b")!.signal.aborted).toBe(true);
  });
});
