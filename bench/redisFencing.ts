/**
 * Benchmark of the fenced worker (`orion-sync/redis`) against a real redis-server on a free
 * loopback port (skipped, with a note, when `redis-server` is missing):
 *
 * - The start latency the fence adds: a fenced append (the Lua script that checks the
 *   lease's token and XADDs in one step) against a plain `XADD`, one round trip at a time.
 * - Replay: `runOrionWorker` recovering an orion from a stream of N events (completion and
 *   answer pairs, then the orion's end): wall time, the longest the event loop was blocked
 *   meanwhile (a 5 ms interval measures the lag), and the process's peak RSS.
 *
 * Run alone with `node dist/bench/redisFencing.js` after `npm run build`.
 */
import { spawnSync } from "node:child_process";
import { pathToFileURL } from "node:url";
import { Redis } from "ioredis";
import { Fence } from "../redis/fencing.js";
import { orionFenceKey, orionLeaseKey, orionStreamKey } from "../redis/orionStreamKey.js";
import { runOrionWorker } from "../redis/runOrionWorker.js";
import { encodeOrionEvent } from "../redis/streamEntry.js";
import { orion } from "../src/orion/orion.js";
import { formatNumber, markdownTable, median } from "./harness.js";
import { startServer } from "./redis.js";

const binary = process.env["REDIS_SERVER"] ?? "redis-server";
const ROUNDS = 2_000;
const REPLAY_SIZES = [100_000, 300_000] as const;

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

async function startLatency(redis: Redis): Promise<{ plain: number[]; fenced: number[] }> {
  const orionId = "bench-fence";
  const stream = orionStreamKey(orionId);
  const fence = new Fence(redis, orionLeaseKey(orionId), orionFenceKey(orionId), stream);
  const grant = await fence.acquire("bench", 60_000);
  if (grant === undefined) throw new Error("no lease");
  const fields = encodeOrionEvent({ type: "TASK_STARTED", orionId, taskId: "t", timestamp: 0 });
  const plain: number[] = [];
  const fenced: number[] = [];
  for (let i = 0; i < ROUNDS + 100; i++) {
    // Interleaved, so that drift of the machine affects both alike; 100 warm-up rounds.
    let t = performance.now();
    await redis.call("XADD", stream, "*", ...fields);
    const a = performance.now() - t;
    t = performance.now();
    await fence.append(grant, fields, true);
    const b = performance.now() - t;
    if (i >= 100) {
      plain.push(a);
      fenced.push(b);
    }
  }
  return { plain, fenced };
}

async function replay(
  redis: Redis,
  size: number,
): Promise<{ ms: number; maxBlockMs: number; peakRssMb: number }> {
  const orionId = `bench-replay-${size}`;
  const stream = orionStreamKey(orionId);
  for (let i = 0; i < size / 2; i += 1000) {
    const pipeline = redis.pipeline();
    for (let j = i; j < Math.min(i + 1000, size / 2); j++) {
      pipeline.call(
        "XADD",
        stream,
        "*",
        ...encodeOrionEvent({ type: "TASK_COMPLETED", orionId, taskId: `t${j}` }),
      );
      pipeline.call(
        "XADD",
        stream,
        "*",
        ...encodeOrionEvent({ type: "ORION_MODIFIED", orionId, onTaskIds: [`t${j}`] }),
      );
    }
    await pipeline.exec();
  }
  const plan = orion(orionId).task("a").build();
  await redis.call(
    "XADD",
    stream,
    "*",
    ...encodeOrionEvent({ type: "ORION_STARTED", orionId, orion: plan }),
  );
  await redis.call("XADD", stream, "*", ...encodeOrionEvent({ type: "ORION_COMPLETED", orionId }));
  globalThis.gc?.();
  let peakRss = process.memoryUsage().rss;
  let maxBlock = 0;
  let last = performance.now();
  const monitor = setInterval(() => {
    const now = performance.now();
    maxBlock = Math.max(maxBlock, now - last - 5);
    last = now;
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 5);
  const t = performance.now();
  await runOrionWorker(redis, { orionId, leaseMs: 2_000, executeTask: () => null });
  const ms = performance.now() - t;
  clearInterval(monitor);
  await redis.del(stream);
  return { ms, maxBlockMs: Math.max(0, maxBlock), peakRssMb: peakRss / 2 ** 20 };
}

/** The section of docs/performance.md. */
export async function redisFencingSection(): Promise<string> {
  const title = "## Redis: fenced starts and replay";
  const probe = spawnSync(binary, ["--version"], { encoding: "utf8" });
  if (probe.error !== undefined || probe.status !== 0) {
    return `${title}\n\nSkipped: no \`redis-server\` binary (${binary}).\n`;
  }
  const server = await startServer();
  const redis = new Redis({ port: server.port, host: "127.0.0.1" });
  try {
    const { plain, fenced } = await startLatency(redis);
    const rows = [];
    for (const size of REPLAY_SIZES) {
      const r = await replay(redis, size);
      rows.push([
        formatNumber(size),
        `${formatNumber(Math.round(r.ms))} ms`,
        `${formatNumber(Math.round(r.maxBlockMs))} ms`,
        `${formatNumber(Math.round(r.peakRssMb))} MB`,
      ]);
    }
    const ms = (v: number): string => `${v.toFixed(3)} ms`;
    return [
      title,
      "",
      `A task's start waits for the fenced append of its \`TASK_STARTED\` (a Lua script: check the lease's token, XADD). One round trip at a time on loopback, ${formatNumber(ROUNDS)} rounds interleaved with a plain XADD of the same entry:`,
      "",
      markdownTable(
        ["Write", "median", "p99"],
        [
          ["plain `XADD`", ms(median(plain)), ms(percentile(plain, 99))],
          ["fenced append (`EVAL`)", ms(median(fenced)), ms(percentile(fenced, 99))],
        ],
      ),
      "",
      "Recovery of an orion from N events (completion and answer pairs), no snapshot: `runOrionWorker` replays in pages of 1,000 entries and yields to the event loop between them, so the lease keeps being renewed. Longest block: the largest lag of a 5 ms interval during the replay.",
      "",
      markdownTable(["Events", "replay", "longest block", "peak RSS"], rows),
      "",
    ].join("\n");
  } finally {
    redis.disconnect();
    await server.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  console.log(await redisFencingSection());
}
