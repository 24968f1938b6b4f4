/**
 * Chaos with real processes on a real redis-server: an agent and orchestrator workers as
 * child processes. A worker is paused (SIGSTOP) past its lease while another takes over,
 * then resumed; the new one is killed (SIGKILL) at a random moment, possibly between a
 * task's start and its record; a stray entry of another orion sits on the stream; one
 * task's result is over the readers' limit. The invariants are checked from the stream and
 * the run log afterwards. One run in `npm test`; ten with ORION_SYNC_DEEP=1.
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DEFAULT_MAX_ENTRY_LENGTH, encodeOrionEvent, orionStreamKey } from "../../redis/index.js";
import type { OrionEvent } from "../../src/events.js";
import { spawnTs, type TsChild } from "./support/childProcess.js";
import { startRedisServer, type RedisServer } from "./support/redisServer.js";
import { chaosOrion, runLogKey } from "./support/scenario.js";
import { until } from "./support/until.js";

const RUNS = process.env["ORION_SYNC_DEEP"] === "1" ? 10 : 1;
const LEASE_MS = 1000;

let server: RedisServer;
let redis: Redis;
const children: TsChild[] = [];

beforeAll(async () => {
  server = await startRedisServer();
  redis = new Redis({ port: server.port, host: "127.0.0.1" });
});

afterAll(async () => {
  for (const child of children) {
    if (child.process.exitCode === null && child.process.signalCode === null) {
      child.process.kill("SIGCONT");
      child.process.kill("SIGKILL");
    }
  }
  redis?.disconnect();
  await server?.stop();
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function start(script: string, orionId: string): TsChild {
  const child = spawnTs(script, {
    REDIS_PORT: String(server.port),
    ORION_ID: orionId,
    LEASE_MS: String(LEASE_MS),
    TASK_MS: "60",
  });
  children.push(child);
  return child;
}

async function runLog(orionId: string): Promise<{ taskId: string; pid: number }[]> {
  return (await redis.lrange(runLogKey(orionId), 0, -1)).map(
    (line) => JSON.parse(line) as { taskId: string; pid: number },
  );
}

const stray = (orionId: string, taskId: string): Promise<unknown> =>
  redis.call(
    "XADD",
    orionStreamKey(orionId),
    "*",
    ...encodeOrionEvent({ type: "TASK_COMPLETED", orionId: `${orionId}-other`, taskId }),
  );

async function chaosRun(run: number): Promise<void> {
  const orionId = `chaos-${run}`;
  await stray(orionId, "x");
  const agent = start("./chaosAgent.ts", orionId);
  const first = start("./chaosWorker.ts", orionId);
  await until(async () => (await runLog(orionId)).length >= 3, "the first worker ran tasks", 3000);

  // Paused past its lease: another worker takes the orion over, then it wakes up.
  first.process.kill("SIGSTOP");
  const ranByFirst = (await runLog(orionId)).filter((r) => r.pid === first.process.pid).length;
  await sleep(LEASE_MS + 200);
  const second = start("./chaosWorker.ts", orionId);
  await second.next("recovered");
  await stray(orionId, "y");
  await sleep(Math.floor(Math.random() * 200));
  first.process.kill("SIGCONT");
  expect(await first.next("error")).toEqual({ error: "LeaseLostError" });

  // Killed at a random moment; the next worker waits for the lease to expire.
  await sleep(Math.floor(Math.random() * 400));
  second.process.kill("SIGKILL");
  await second.exited;
  const third = start("./chaosWorker.ts", orionId);
  const ended = await Promise.race([third.next("result"), third.next("error")]);
  expect(ended).toHaveProperty("result");
  await agent.exited;

  // Invariants, from the stream and the run log.
  const raw = (await redis.call("XRANGE", orionStreamKey(orionId), "-", "+")) as [
    string,
    string[],
  ][];
  for (const [, fields] of raw) {
    expect(fields.join("").length).toBeLessThanOrEqual(DEFAULT_MAX_ENTRY_LENGTH);
  }
  const events = raw
    .map(([, fields]) => JSON.parse(fields[3] as string) as OrionEvent)
    .filter((event) => event.orionId === orionId);
  const started = events.flatMap((e) => (e.type === "TASK_STARTED" ? [e.taskId] : []));
  const endedTasks = new Map<string, OrionEvent>();
  for (const e of events) {
    if (e.type === "TASK_COMPLETED" || e.type === "TASK_FAILED") endedTasks.set(e.taskId, e);
  }
  // No task attempt started twice (no retries here: one attempt per task).
  expect(started.length).toBe(new Set(started).size);
  // Every run was recorded before it ran, and ran at most once.
  const log = await runLog(orionId);
  expect(log.length).toBe(new Set(log.map((r) => r.taskId)).size);
  for (const { taskId } of log) expect(started).toContain(taskId);
  // The paused worker ran nothing after it woke.
  expect(log.filter((r) => r.pid === first.process.pid).length).toBe(ranByFirst);
  // None lost: every start has its end; the orion ended once.
  for (const taskId of started) expect(endedTasks.has(taskId)).toBe(true);
  const ends = events.filter((e) => e.type === "ORION_COMPLETED" || e.type === "ORION_FAILED");
  expect(ends).toHaveLength(1);
  const huge = endedTasks.get("huge");
  if (huge?.type === "TASK_FAILED") {
    expect(["UnpublishableEventError", "WorkerInterrupted"]).toContain(
      (huge.error as { name?: string } | undefined)?.name,
    );
  }
  expect(Object.keys(chaosOrion(orionId).tasks)).toContain("huge");
}

it(
  `pause past the lease, kill, stray entries, an oversized result: ${RUNS} run(s), 0 violations`,
  async () => {
    for (let run = 0; run < RUNS; run++) await chaosRun(run);
  },
  40_000 * RUNS,
);
