/**
 * Fenced writes against a real redis-server: a task runs only once its TASK_STARTED is on
 * the broker, a worker whose grant was superseded writes and starts nothing, entries of
 * other orions are ignored, and a broker that lost the orion's history stops the worker.
 */
import type { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import {
  encodeOrionEvent,
  fromRedisStream,
  HistoryLostError,
  LeaseLostError,
  orionLeaseKey,
  orionStreamKey,
  runOrionWorker,
  toRedisStream,
  type RedisStreamClient,
} from "../../redis/index.js";
import type { OrionEvent } from "../../src/events.js";
import { orion } from "../../src/orion/orion.js";
import { useRedisServer } from "./support/redisServer.js";
import { until } from "./support/until.js";

let redis: Redis;
useRedisServer((_, r) => {
  redis = r;
});

const plan = (id: string) =>
  orion(id)
    .task("a", { params: { v: 1 } })
    .task("b", { after: "a" })
    .build();

/** An agent answering every task end of `orionId` (after `hold` resolves, for `a`). */
function agent(orionId: string, hold: Promise<void> = Promise.resolve()) {
  const stream = orionStreamKey(orionId);
  const publisher = toRedisStream(redis, stream);
  return fromRedisStream(redis, { stream }).subscribe((event) => {
    if (event.orionId !== orionId) return;
    if (event.type === "TASK_FAILED" || event.type === "TASK_COMPLETED") {
      const answer = (): Promise<string> =>
        publisher.publish({ type: "ORION_MODIFIED", orionId, onTaskIds: [event.taskId] });
      void (event.taskId === "a" ? hold.then(answer) : answer());
    }
  });
}

async function events(orionId: string): Promise<OrionEvent[]> {
  const entries = (await redis.call("XRANGE", orionStreamKey(orionId), "-", "+")) as [
    string,
    string[],
  ][];
  return entries.map(([, fields]) => JSON.parse(fields[3] as string) as OrionEvent);
}

const starts = async (orionId: string): Promise<string[]> =>
  (await events(orionId)).flatMap((e) => (e.type === "TASK_STARTED" ? [e.taskId] : []));

/** Rejects after `ms`: a stalled worker fails the test instead of hanging it. */
const within = <T>(ms: number, promise: Promise<T>): Promise<T> =>
  Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`not done in ${ms} ms`)), ms)),
  ]);

describe("fenced starts", () => {
  it("runs a task only once the broker has its TASK_STARTED (issue 14, failure 2)", async () => {
    const orionId = "unrecorded-start";
    let release: () => void = () => undefined;
    const recorded = new Promise<void>((resolve) => (release = resolve));
    // The broker's reply to the TASK_STARTED write is held: as if the worker died before it.
    const client: RedisStreamClient = {
      call: async (command, ...args) => {
        if (args.some((arg) => typeof arg === "string" && arg.includes('"TASK_STARTED"'))) {
          await recorded;
        }
        return redis.call(command, ...args);
      },
      duplicate: () => redis.duplicate(),
      quit: () => redis.quit(),
      disconnect: () => redis.disconnect(),
    };
    const answers = agent(orionId);
    const ran: string[] = [];
    const worker = runOrionWorker(client, {
      orionId,
      orion: orion(orionId).task("a").build(),
      executeTask: (task) => {
        ran.push(task.id);
        return null;
      },
    });
    await until(async () => (await events(orionId)).length > 0, "ORION_STARTED is written");
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(ran).toEqual([]); // not before the broker recorded the start
    release();
    expect((await within(10_000, worker)).outcome).toBe("completed");
    answers.unsubscribe();
    expect(ran).toEqual(["a"]);
    expect(await starts(orionId)).toEqual(["a"]);
  });

  it("a worker whose grant was superseded starts nothing, though its gate opens (issue 14, failure 1)", async () => {
    const orionId = "superseded";
    let answerA: () => void = () => undefined;
    const answers = agent(orionId, new Promise<void>((resolve) => (answerA = resolve)));
    const ran: string[] = [];
    // A lease long enough that no renewal notices during the test: only the fence can.
    const worker = runOrionWorker(redis, {
      orionId,
      orion: plan(orionId),
      workerId: "w-1",
      leaseMs: 60_000,
      maxConcurrency: 1,
      executeTask: (task) => {
        ran.push(task.id);
        return null;
      },
    });
    const outcome = worker.then(
      () => "resolved",
      (error: unknown) => error,
    );
    await until(
      async () => (await events(orionId)).some((e) => e.type === "TASK_COMPLETED"),
      "a completed",
    );
    // The lease expires while w-1 is paused, and another worker is granted it.
    await redis.del(orionLeaseKey(orionId));
    // The fencing counter's key, spelled out: orion:{<id>}:fence.
    const token = await redis.incr(`orion:{${orionId}}:fence`);
    await redis.set(orionLeaseKey(orionId), `${token}:w-2`, "PX", 60_000);
    answerA(); // w-1's gate opens: b is ready in its (stale) view
    expect(await within(10_000, outcome)).toBeInstanceOf(LeaseLostError);
    answers.unsubscribe();
    expect(ran).toEqual(["a"]);
    expect(await starts(orionId)).toEqual(["a"]); // its start of b was refused
  });
});

describe("other orions", () => {
  it("a stray entry of another orion does not hold the worker (issue 13, case 6)", async () => {
    const orionId = "own";
    const stream = orionStreamKey(orionId);
    // Well-formed, on this orion's stream, but of another orion: before and during the run.
    const stray = (taskId: string): Promise<unknown> =>
      redis.call(
        "XADD",
        stream,
        "*",
        ...encodeOrionEvent({ type: "TASK_COMPLETED", orionId: "other", taskId }),
      );
    await stray("x");
    const answers = agent(orionId);
    const worker = runOrionWorker(redis, {
      orionId,
      orion: plan(orionId),
      modificationTimeout: 600_000,
      executeTask: async (task) => {
        if (task.id === "a") await stray("y");
        return null;
      },
    });
    const outcome = await within(10_000, worker);
    answers.unsubscribe();
    expect(outcome.outcome).toBe("completed");
    expect(outcome.recovery).toMatchObject({ events: 0, ignored: 1 });
    expect(outcome.result?.statistics).toMatchObject({
      totalModifications: 2,
      completedModifications: 2,
      timeoutModifications: 0,
    });
  });
});

describe("broker amnesia", () => {
  /** A worker on a fresh orion whose task `a` runs until `finish` is called. */
  function blockedWorker(orionId: string, leaseMs: number) {
    let finish: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    let running: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (running = resolve));
    const worker = runOrionWorker(redis, {
      orionId,
      orion: plan(orionId),
      leaseMs,
      executeTask: async () => {
        running();
        await finished;
        return null;
      },
    });
    const outcome = worker.then(
      () => "resolved",
      (error: unknown) => error,
    );
    return { outcome, started, finish };
  }

  it("stops with HistoryLostError when the broker loses everything (issue 14, failure 5)", async () => {
    const orionId = "amnesia";
    const { outcome, started, finish } = blockedWorker(orionId, 300);
    await started;
    await redis.flushall(); // what a restart without persistence leaves
    const error = await within(10_000, outcome);
    finish();
    expect(error).toBeInstanceOf(HistoryLostError);
    expect(await redis.exists(orionStreamKey(orionId))).toBe(0); // nothing re-created
  });

  it("stops with HistoryLostError when the orion's stream is gone at its next write", async () => {
    const orionId = "stream-gone";
    const { outcome, started, finish } = blockedWorker(orionId, 60_000);
    await started;
    await redis.del(orionStreamKey(orionId));
    finish(); // its TASK_COMPLETED is refused
    expect(await within(10_000, outcome)).toBeInstanceOf(HistoryLostError);
    expect(await redis.exists(orionStreamKey(orionId))).toBe(0);
  });

  it("with requireHistory, an empty stream is an error, not a fresh run", async () => {
    const orionId = "required";
    const ran: string[] = [];
    await expect(
      runOrionWorker(redis, {
        orionId,
        orion: plan(orionId),
        requireHistory: true,
        executeTask: (task) => {
          ran.push(task.id);
          return null;
        },
      }),
    ).rejects.toBeInstanceOf(HistoryLostError);
    expect(ran).toEqual([]);
    expect(await redis.exists(orionStreamKey(orionId))).toBe(0);
    expect(await redis.exists(orionLeaseKey(orionId))).toBe(0);
  });
});
