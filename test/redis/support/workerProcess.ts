/**
 * An orchestrator worker process: `node --import ./registerTs.mjs workerProcess.ts`, with
 * REDIS_PORT, ORION_ID and LEASE_MS in the environment. It runs the orion with
 * `runOrionWorker`; each task appends a RunRecord to the run log. It prints one JSON line
 * per milestone on stdout: `recovered`, `live`, `result`.
 */
import { Redis } from "ioredis";
import { runOrionWorker } from "../../../redis/index.js";
import { recoveryOrion, runLogKey, type RunRecord } from "./scenario.js";

const orionId = process.env["ORION_ID"] as string;
const redis = new Redis({ port: Number(process.env["REDIS_PORT"]), host: "127.0.0.1" });
const say = (line: object): void => {
  process.stdout.write(`${JSON.stringify(line)}\n`);
};

const outcome = await runOrionWorker(redis, {
  orionId,
  orion: recoveryOrion(orionId),
  maxConcurrency: 1,
  leaseMs: Number(process.env["LEASE_MS"] ?? 1000),
  modificationTimeout: 600_000,
  executeTask: async (task) => {
    const record: RunRecord = { taskId: task.id, params: task.params, pid: process.pid };
    await redis.rpush(runLogKey(orionId), JSON.stringify(record));
    return { ran: task.id };
  },
  onRecovered: (recovery) => say({ recovered: recovery }),
  onProgress: (progress) => {
    // Once the orchestrator has tried to start what is ready (synchronously after its
    // ORION_STARTED), a PING on the tasks' connection orders after any run they logged.
    if (progress.kind === "event" && progress.event.type === "ORION_STARTED") {
      void redis.ping().then(() => say({ live: true }));
    }
  },
});
say({ result: { outcome: outcome.outcome, statistics: outcome.result?.statistics } });
await redis.quit();
