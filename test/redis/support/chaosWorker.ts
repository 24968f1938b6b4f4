/**
 * A worker process of the chaos test: REDIS_PORT, ORION_ID, LEASE_MS, TASK_MS,
 * SNAPSHOT_EVERY, RETENTION_MS. Runs
 * `chaosOrion` with `runOrionWorker`; each task appends `{ taskId, pid, run }` to the run log
 * when its executeTask runs, then takes TASK_MS. Prints `recovered`, then `result` or
 * `error` (the error's name) as JSON lines.
 */
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { DEFAULT_MAX_ENTRY_LENGTH, runOrionWorker } from "../../../redis/index.js";
import { chaosOrion, runLogKey, workerIdOf } from "./scenario.js";

const orionId = process.env["ORION_ID"] as string;
const taskMs = Number(process.env["TASK_MS"] ?? 100);
const redis = new Redis({ port: Number(process.env["REDIS_PORT"]), host: "127.0.0.1" });
redis.on("error", () => undefined);
const say = (line: object): void => {
  process.stdout.write(`${JSON.stringify(line)}\n`);
};

try {
  const outcome = await runOrionWorker(redis, {
    orionId,
    orion: chaosOrion(orionId),
    // Named after the process, so the test can tie the run log (by pid) to the stream's
    // entries (by origin).
    workerId: workerIdOf(process.pid),
    maxConcurrency: 2,
    leaseMs: Number(process.env["LEASE_MS"] ?? 1000),
    modificationTimeout: 600_000,
    // Compaction under chaos: snapshots and trims while workers pause, die and the broker
    // restarts (the test's audit reader keeps every entry within the retention).
    snapshotEvery: Number(process.env["SNAPSHOT_EVERY"] ?? 10_000),
    retentionMs: Number(process.env["RETENTION_MS"] ?? 600_000),
    executeTask: async (task) => {
      // The run's own id: a resent log entry (after a broker crash) is not a second run.
      const run = randomUUID();
      await redis.rpush(
        runLogKey(orionId),
        JSON.stringify({ taskId: task.id, pid: process.pid, run }),
      );
      await new Promise((resolve) => setTimeout(resolve, taskMs));
      // One task's result is over the readers' limit: it must fail, not be published.
      return task.id === "huge" ? "x".repeat(DEFAULT_MAX_ENTRY_LENGTH) : task.id;
    },
    onRecovered: (recovery) => say({ recovered: recovery }),
  });
  say({ result: { outcome: outcome.outcome } });
} catch (error) {
  say({ error: error instanceof Error ? error.name : String(error) });
}
redis.disconnect();
