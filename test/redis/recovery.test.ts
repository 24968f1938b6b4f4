/**
 * Crash recovery with real processes: an orchestrator worker and an agent as child
 * processes on a real redis-server; the worker is killed with SIGKILL while the agent's
 * modification is pending, and a new worker takes the orion over.
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { fromRedisStream, orionStreamKey } from "../../redis/index.js";
import type { OrionEvent } from "../../src/events.js";
import { spawnTs, type TsChild } from "./support/childProcess.js";
import { startRedisServer, type RedisServer } from "./support/redisServer.js";
import { runLogKey, type RunRecord } from "./support/scenario.js";
import { firstValueFrom, takeWhile, toArray } from "rxjs";

let server: RedisServer;
let redis: Redis;
const children: TsChild[] = [];

beforeAll(async () => {
  server = await startRedisServer();
  redis = new Redis({ port: server.port, host: "127.0.0.1" });
});

afterAll(async () => {
  for (const child of children) if (child.process.exitCode === null) child.process.kill("SIGKILL");
  redis?.disconnect();
  await server?.stop();
});

function start(script: string, orionId: string): TsChild {
  const child = spawnTs(script, {
    REDIS_PORT: String(server.port),
    ORION_ID: orionId,
    // Long enough not to be lost under load; the test deletes the dead worker's lease.
    LEASE_MS: "5000",
  });
  children.push(child);
  return child;
}

async function runs(orionId: string): Promise<RunRecord[]> {
  const raw = await redis.lrange(runLogKey(orionId), 0, -1);
  return raw.map((line) => JSON.parse(line) as RunRecord);
}

it("a worker killed while a modification is pending is replaced, and nothing runs early or twice", async () => {
  const orionId = "crash-1";
  const agent = start("./agentProcess.ts", orionId);
  const first = start("./workerProcess.ts", orionId);
  await first.next("live");
  // The agent holds its answer to `a`: the first worker's gate is closed, nothing runs.
  await agent.next("waiting");
  expect((await runs(orionId)).map((r) => r.taskId)).toEqual(["a"]);
  first.process.kill("SIGKILL");
  expect(await first.exited).toBe("SIGKILL");
  // Its lease would expire after LEASE_MS: as if it had, without waiting.
  await redis.del(`orion:{${orionId}}:owner`);

  const second = start("./workerProcess.ts", orionId);
  const { recovered } = (await second.next("recovered")) as {
    recovered: { pending: string[]; interrupted: string[]; resumed: boolean };
  };
  expect(recovered).toMatchObject({ resumed: true, pending: ["a"], interrupted: [] });
  await second.next("live");
  // The new worker has tried to start what is ready: `b` still waits for the agent.
  expect((await runs(orionId)).map((r) => r.taskId)).toEqual(["a"]);

  agent.process.stdin?.write("go\n");
  const { result } = (await second.next("result")) as { result: { outcome: string } };
  expect(result.outcome).toBe("completed");
  expect(await second.exited).toBe(0);
  expect(await agent.exited).toBe(0);

  const log = await runs(orionId);
  expect(log.map((r) => r.taskId)).toEqual(["a", "b"]);
  // `a` ran in the first worker, `b` in the second, with the agent's edit.
  expect(log[0]).toMatchObject({ pid: first.process.pid, params: { v: 1 } });
  expect(log[1]).toMatchObject({ pid: second.process.pid, params: { v: 2 } });

  const events = await firstValueFrom(
    fromRedisStream(redis, { stream: orionStreamKey(orionId) }).pipe(
      takeWhile((e: OrionEvent) => e.type !== "ORION_COMPLETED", true),
      toArray(),
    ),
  );
  const starts = events.flatMap((e) => (e.type === "TASK_STARTED" ? [e.taskId] : []));
  expect(starts).toEqual(["a", "b"]);
  expect(events.filter((e) => e.type === "ORION_STARTED")).toHaveLength(2);
  expect(events.filter((e) => e.type === "ORION_COMPLETED")).toHaveLength(1);
});
