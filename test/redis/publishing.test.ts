/**
 * Publish only what can be read, against a real redis-server: the publisher writes the
 * event it validated (never its toJSON), refuses what readers would refuse, and a worker
 * fails a task whose result no reader could take instead of publishing it.
 */
import type { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_MAX_ENTRY_LENGTH,
  fromRedisStream,
  orionStreamKey,
  runOrionWorker,
  toRedisStream,
  UnpublishableEventError,
} from "../../redis/index.js";
import type { OrionEvent } from "../../src/events.js";
import { orion } from "../../src/orion/orion.js";
import { useRedisServer } from "./support/redisServer.js";

let redis: Redis;
useRedisServer((_, r) => {
  redis = r;
});

async function entries(stream: string): Promise<string[][]> {
  const reply = (await redis.call("XRANGE", stream, "-", "+")) as [string, string[]][];
  return reply.map(([, fields]) => fields);
}

describe("toRedisStream", () => {
  it("writes the event it validated, not what its toJSON returns (issue 13)", async () => {
    const stream = "published-tojson";
    const event = {
      type: "TASK_COMPLETED",
      orionId: "o",
      taskId: "a",
      result: 1,
      toJSON: () => ({ type: "ORION_COMPLETED", orionId: "o" }),
    } as OrionEvent;
    await toRedisStream(redis, stream).publish(event);
    const [fields] = await entries(stream);
    expect(JSON.parse(fields?.[3] as string)).toEqual({
      type: "TASK_COMPLETED",
      orionId: "o",
      taskId: "a",
      result: 1,
    });
  });

  it("refuses an event over the readers' 16 MiB, writing nothing (issue 14, failure 4)", async () => {
    const stream = "published-large";
    const publisher = toRedisStream(redis, stream);
    const result = "x".repeat(DEFAULT_MAX_ENTRY_LENGTH);
    const published = publisher.publish({
      type: "TASK_COMPLETED",
      orionId: "o",
      taskId: "a",
      result,
    });
    await expect(published).rejects.toBeInstanceOf(UnpublishableEventError);
    await expect(published).rejects.toMatchObject({ reason: "too-large" });
    expect(await redis.exists(stream)).toBe(0);
    // Just under the limit it is written, and a reader takes it.
    const fits = "x".repeat(DEFAULT_MAX_ENTRY_LENGTH - 200);
    await publisher.publish({ type: "TASK_COMPLETED", orionId: "o", taskId: "a", result: fits });
    expect(await redis.xlen(stream)).toBe(1);
  });
});

describe("runOrionWorker", () => {
  it("fails a task whose result no reader could take, and goes on (issue 14, failure 4)", async () => {
    const orionId = "oversized";
    const stream = orionStreamKey(orionId);
    const publisher = toRedisStream(redis, stream);
    const answered: string[] = [];
    const agent = fromRedisStream(redis, { stream }).subscribe((event) => {
      if (event.type === "TASK_FAILED" || event.type === "TASK_COMPLETED") {
        answered.push(`${event.type} ${event.taskId}`);
        void publisher.publish({ type: "ORION_MODIFIED", orionId, onTaskIds: [event.taskId] });
      }
    });
    const invalid: unknown[] = [];
    const worker = runOrionWorker(redis, {
      orionId,
      orion: orion(orionId).task("big").task("small").build(),
      maxConcurrency: 1,
      modificationTimeout: 600_000,
      onInvalid: (entry) => invalid.push(entry.error),
      executeTask: (task) => (task.id === "big" ? "x".repeat(DEFAULT_MAX_ENTRY_LENGTH) : "ok"),
    });
    const outcome = await Promise.race([
      worker,
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error("the worker stalled")), 10_000),
      ),
    ]);
    agent.unsubscribe();
    expect(outcome.outcome).toBe("failed");
    expect(outcome.result?.orion.tasks["big"]).toMatchObject({
      status: "failed",
      error: { name: "UnpublishableEventError" },
    });
    expect(outcome.result?.orion.tasks["small"]).toMatchObject({ status: "completed" });
    expect(answered.sort()).toEqual(["TASK_COMPLETED small", "TASK_FAILED big"]);
    expect(invalid).toEqual([]);
    for (const fields of await entries(stream)) {
      expect(fields.join("").length).toBeLessThanOrEqual(DEFAULT_MAX_ENTRY_LENGTH);
    }
  });
});
