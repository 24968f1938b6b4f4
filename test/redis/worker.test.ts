/**
 * Recovery in one process against a real redis-server: registration times from entry ids,
 * and runOrionWorker resuming streams written "by a previous worker" (raw entries).
 */
import type { Redis } from "ioredis";
import { firstValueFrom } from "rxjs";
import { describe, expect, it } from "vitest";
import {
  encodeOrionEvent,
  fromRedisStream,
  LeaseLostError,
  orionLeaseKey,
  orionStreamKey,
  runOrionWorker,
  toRedisStream,
  type InvalidStreamEntry,
  type RedisStreamClient,
} from "../../redis/index.js";
import type { OrionEvent } from "../../src/events.js";
import { orion } from "../../src/orion/orion.js";
import { OrionModificationSynchronizer } from "../../src/synchronizer.js";
import { useRedisServer } from "./support/redisServer.js";
import { until } from "./support/until.js";

let redis: Redis;
useRedisServer((_, r) => {
  redis = r;
});

/** Appends `event` with the explicit entry id `<ms>-<seq>`: as if published at time `ms`. */
const append = (stream: string, id: string, event: OrionEvent): Promise<unknown> =>
  redis.call("XADD", stream, id, ...encodeOrionEvent(event));

describe("replayed registrations", () => {
  it("are measured from their entry's time: an old one times out at once, a recent one waits", async () => {
    const stream = orionStreamKey("replay-times");
    const now = Date.now();
    await append(stream, `${now - 120_000}-0`, {
      type: "TASK_COMPLETED",
      orionId: "o",
      taskId: "old",
    });
    await append(stream, `${now - 1_000}-0`, {
      type: "TASK_COMPLETED",
      orionId: "o",
      taskId: "recent",
    });
    const sync = new OrionModificationSynchronizer({
      modificationTimeout: 60_000,
      registeredAt: (event) => event.timestamp,
    });
    sync.connect(fromRedisStream(redis, { stream }));
    await until(() => sync.getStatistics().timeoutModifications === 1, "the old one timed out");
    const state = await firstValueFrom(sync.state$);
    expect(sync.getPendingTaskIds()).toEqual(["recent"]);
    expect([...state.pending.values()][0]).toMatchObject({
      taskId: "recent",
      registeredAt: now - 1_000,
      deadline: now - 1_000 + 60_000,
    });
    sync.dispose();
  });
});

describe("runOrionWorker", () => {
  const plan = (id: string) =>
    orion(id)
      .task("a", { params: { v: 1 } })
      .task("b", { after: "a" })
      .build();

  it("returns at once, running nothing, for an orion the stream says has ended", async () => {
    const stream = orionStreamKey("ended");
    const publisher = toRedisStream(redis, stream);
    await publisher.publish({ type: "ORION_STARTED", orionId: "ended", orion: plan("ended") });
    await publisher.publish({ type: "ORION_COMPLETED", orionId: "ended" });
    const ran: string[] = [];
    const outcome = await runOrionWorker(redis, {
      orionId: "ended",
      executeTask: (task) => {
        ran.push(task.id);
        return null;
      },
    });
    expect(outcome).toMatchObject({ outcome: "completed", result: undefined });
    expect(outcome.recovery).toMatchObject({ events: 2, resumed: true, pending: [] });
    expect(ran).toEqual([]);
    expect(await redis.call("XLEN", stream)).toBe(2); // nothing published
    expect(await redis.call("EXISTS", "orion:{ended}:owner")).toBe(0); // lease released
  });

  it("fails a task that was running when its worker died, instead of running it again", async () => {
    const orionId = "interrupted";
    const stream = orionStreamKey(orionId);
    const publisher = toRedisStream(redis, stream);
    await publisher.publish({ type: "ORION_STARTED", orionId, orion: plan(orionId) });
    const last = await publisher.publish({ type: "TASK_STARTED", orionId, taskId: "a" });
    // The agent answers every task end after that entry.
    const agent = fromRedisStream(redis, { stream, from: last }).subscribe((event) => {
      if (event.type === "TASK_FAILED" || event.type === "TASK_COMPLETED") {
        void publisher.publish({ type: "ORION_MODIFIED", orionId, onTaskIds: [event.taskId] });
      }
    });
    const ran: string[] = [];
    const outcome = await runOrionWorker(redis, {
      orionId,
      executeTask: (task) => {
        ran.push(task.id);
        return null;
      },
    });
    agent.unsubscribe();
    expect(outcome.recovery).toMatchObject({ resumed: true, interrupted: ["a"], pending: [] });
    expect(ran).toEqual([]); // b needed a's success
    expect(outcome.outcome).toBe("failed");
    expect(outcome.result?.orion.tasks["a"]).toMatchObject({
      status: "failed",
      error: { name: "WorkerInterrupted" },
    });
    expect(outcome.result?.statistics).toMatchObject({
      totalModifications: 1,
      completedModifications: 1,
    });
  });

  it("starts a fresh orion, holding the lease until it ends", async () => {
    const orionId = "fresh";
    const stream = orionStreamKey(orionId);
    const publisher = toRedisStream(redis, stream);
    const agent = fromRedisStream(redis, { stream }).subscribe((event) => {
      if (event.type === "TASK_COMPLETED") {
        void publisher.publish({ type: "ORION_MODIFIED", orionId, onTaskIds: [event.taskId] });
      }
    });
    const leases: unknown[] = [];
    const outcome = await runOrionWorker(redis, {
      orionId,
      orion: plan(orionId),
      workerId: "w-1",
      executeTask: async (task) => {
        leases.push(await redis.get(`orion:{${orionId}}:owner`));
        return task.id;
      },
    });
    agent.unsubscribe();
    expect(outcome.outcome).toBe("completed");
    expect(outcome.recovery).toMatchObject({ resumed: false, events: 0 });
    // The lease holds `<fencing token>:<workerId>`.
    expect(leases).toEqual(["1:w-1", "1:w-1"]);
    expect(await redis.call("EXISTS", `orion:{${orionId}}:owner`)).toBe(0);
    // Its entries carry its origin.
    const entries = (await redis.call("XRANGE", stream, "-", "+")) as [string, string[]][];
    const origins = entries.map(([, fields]) =>
      fields.includes("origin") ? fields[fields.indexOf("origin") + 1] : "agent",
    );
    expect(new Set(origins)).toEqual(new Set(["w-1", "agent"]));
  });

  /** `redis`, with each `XRANGE` (the replay) answered after `before` has run. */
  function slowReplay(before: () => Promise<void>): RedisStreamClient {
    return {
      call: async (command, ...args) => {
        if (command === "XRANGE") await before();
        return redis.call(command, ...args);
      },
      duplicate: () => redis.duplicate(),
      quit: () => redis.quit(),
      disconnect: () => redis.disconnect(),
    };
  }

  it("renews its lease during a replay longer than the lease", async () => {
    const orionId = "slow-replay";
    const publisher = toRedisStream(redis, orionStreamKey(orionId));
    await publisher.publish({ type: "ORION_STARTED", orionId, orion: plan(orionId) });
    await publisher.publish({ type: "ORION_COMPLETED", orionId });
    const leases: unknown[] = [];
    const client = slowReplay(async () => {
      await new Promise((resolve) => setTimeout(resolve, 900)); // three leases
      leases.push(await redis.get(orionLeaseKey(orionId)));
    });
    const outcome = await runOrionWorker(client, {
      orionId,
      workerId: "w-1",
      leaseMs: 300,
      executeTask: () => null,
    });
    expect(leases).toEqual(["1:w-1"]); // still its own grant, nobody could take it
    expect(outcome.outcome).toBe("completed");
  });

  it("publishes nothing if its lease was taken during the replay", async () => {
    const orionId = "taken-in-replay";
    const stream = orionStreamKey(orionId);
    const publisher = toRedisStream(redis, stream);
    await publisher.publish({ type: "ORION_STARTED", orionId, orion: plan(orionId) });
    await publisher.publish({ type: "TASK_STARTED", orionId, taskId: "a" });
    // A lease long enough that no renewal runs during the test: only the check can see it.
    const client = slowReplay(() => redis.set(orionLeaseKey(orionId), "w-2").then(() => undefined));
    const ran: string[] = [];
    await expect(
      runOrionWorker(client, {
        orionId,
        workerId: "w-1",
        leaseMs: 60_000,
        executeTask: (task) => {
          ran.push(task.id);
          return null;
        },
      }),
    ).rejects.toBeInstanceOf(LeaseLostError);
    expect(await types(orionId)).toEqual(["ORION_STARTED", "TASK_STARTED"]);
    expect(ran).toEqual([]);
    expect(await redis.get(orionLeaseKey(orionId))).toBe("w-2");
  });

  it("skips an entry nested too deep to replay: the other workers are not stopped by it", async () => {
    const orionId = "hostile";
    const stream = orionStreamKey(orionId);
    const publisher = toRedisStream(redis, stream);
    await publisher.publish({ type: "ORION_STARTED", orionId, orion: plan(orionId) });
    const last = await publisher.publish({ type: "TASK_STARTED", orionId, taskId: "a" });
    const deep = "[".repeat(200_000) + "1" + "]".repeat(200_000);
    await redis.call(
      "XADD",
      stream,
      "*",
      "v",
      "1",
      "event",
      `{"type":"TASK_COMPLETED","orionId":"${orionId}","taskId":"a","result":${deep}}`,
    );
    const agent = fromRedisStream(redis, { stream, from: last }).subscribe((event) => {
      if (event.type === "TASK_FAILED" || event.type === "TASK_COMPLETED") {
        void publisher.publish({ type: "ORION_MODIFIED", orionId, onTaskIds: [event.taskId] });
      }
    });
    const invalid: InvalidStreamEntry[] = [];
    const outcome = await runOrionWorker(redis, {
      orionId,
      executeTask: () => null,
      onInvalid: (entry) => invalid.push(entry),
    });
    agent.unsubscribe();
    expect(invalid.map((e) => e.error.message)).toEqual([
      "invalid stream entry: the event is nested deeper than 512",
    ]);
    // The hostile completion never happened: `a` was running, so it is failed.
    expect(outcome.recovery.interrupted).toEqual(["a"]);
    expect(outcome.outcome).toBe("failed");
  });

  /** Starts a worker on a fresh orion whose task `a` runs until aborted; resolves once it runs. */
  async function runningWorker(orionId: string, options: { signal?: AbortSignal } = {}) {
    let aborted: () => void = () => undefined;
    const abortedTask = new Promise<void>((resolve) => (aborted = resolve));
    let started: () => void = () => undefined;
    const running = new Promise<void>((resolve) => (started = resolve));
    const worker = runOrionWorker(redis, {
      orionId,
      orion: plan(orionId),
      workerId: "w-1",
      leaseMs: 300,
      ...options,
      executeTask: (_task, { signal }) =>
        new Promise((_, reject) => {
          started();
          signal.addEventListener("abort", () => {
            aborted();
            reject(new Error("aborted"));
          });
        }),
    });
    await running;
    return { worker, abortedTask };
  }

  async function types(orionId: string): Promise<string[]> {
    const entries = (await redis.call("XRANGE", orionStreamKey(orionId), "-", "+")) as [
      string,
      string[],
    ][];
    return entries.map(([, fields]) => (JSON.parse(fields[3] as string) as OrionEvent).type);
  }

  it("stops, aborting its task and publishing nothing more, when its lease is taken", async () => {
    const orionId = "stolen";
    const { worker, abortedTask } = await runningWorker(orionId);
    await redis.set(`orion:{${orionId}}:owner`, "w-2", "PX", 10_000);
    await expect(worker).rejects.toBeInstanceOf(LeaseLostError);
    await abortedTask;
    expect(await types(orionId)).toEqual(["ORION_STARTED", "TASK_STARTED"]);
    expect(await redis.get(`orion:{${orionId}}:owner`)).toBe("w-2"); // not released: not its own
  });

  it("hands over on its signal: stopped, task aborted, nothing published, lease released", async () => {
    const orionId = "handover";
    const controller = new AbortController();
    const { worker, abortedTask } = await runningWorker(orionId, { signal: controller.signal });
    controller.abort();
    expect((await worker).outcome).toBe("stopped");
    await abortedTask;
    expect(await types(orionId)).toEqual(["ORION_STARTED", "TASK_STARTED"]);
    expect(await redis.call("EXISTS", `orion:{${orionId}}:owner`)).toBe(0);
  });
});
