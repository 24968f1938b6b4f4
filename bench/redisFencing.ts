/**
 * Benchmark of the fenced worker (`orion-sync/redis`) against a real redis-server on a free
 * loopback port (skipped, with a note, when `redis-server` is missing):
 *
 * - The start latency the fence adds: a fenced append (the Lua script that checks the
 *   lease's token and XADDs in one step) against a plain `XADD`, one round trip at a time.
 * - Recovery: `runOrionWorker` recovering an orion from a stream of N events, in a fresh
 *   process each time, without compaction, then from a snapshot plus the tail: wall time to
 *   `onRecovered`, the longest the event loop was blocked meanwhile (a 5 ms interval
 *   measures the lag), and the process's peak RSS.
 *
 * Run alone with `node dist/bench/redisFencing.js` after `npm run build`.
 */
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Redis } from "ioredis";
import { Fence } from "../redis/fencing.js";
import {
  orionFenceKey,
  orionLeaseKey,
  orionSnapshotKey,
  orionStreamKey,
} from "../redis/orionStreamKey.js";
import { runOrionWorker } from "../redis/runOrionWorker.js";
import { encodeOrionEvent } from "../redis/streamEntry.js";
import { orion } from "../src/orion/orion.js";
import { formatNumber, markdownTable, median } from "./harness.js";
import { startServer } from "./redis.js";

const binary = process.env["REDIS_SERVER"] ?? "redis-server";
const ROUNDS = 2_000;
const REPLAY_SIZES = [100_000, 300_000, 1_000_000] as const;
/** Events appended after the snapshot, before the recovery from it. */
const TAIL = 5_000;

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

/** What one recovery measured, in a fresh process. */
interface Recovery {
  readonly ms: number;
  readonly maxBlockMs: number;
  readonly peakRssMb: number;
  readonly events: number;
  readonly snapshot: boolean;
}

/**
 * Writes an orion's stream of `size` events: its `ORION_STARTED` (one task, `a`), then
 * completion and answer pairs of tasks of the orion's past. The orion has not ended.
 */
async function writeHistory(redis: Redis, orionId: string, size: number): Promise<void> {
  const stream = orionStreamKey(orionId);
  const plan = orion(orionId).task("a").build();
  await redis.call(
    "XADD",
    stream,
    "*",
    ...encodeOrionEvent({ type: "ORION_STARTED", orionId, orion: plan, eventId: "s" }),
  );
  await writePairs(redis, orionId, 0, (size - 1) / 2);
}

/** Appends `count` completion and answer pairs of tasks `t{from}`... */
async function writePairs(
  redis: Redis,
  orionId: string,
  from: number,
  count: number,
): Promise<void> {
  const stream = orionStreamKey(orionId);
  for (let i = from; i < from + count; i += 1000) {
    const pipeline = redis.pipeline();
    for (let j = i; j < Math.min(i + 1000, from + count); j++) {
      pipeline.call(
        "XADD",
        stream,
        "*",
        ...encodeOrionEvent({ type: "TASK_COMPLETED", orionId, taskId: `t${j}`, eventId: `c${j}` }),
      );
      pipeline.call(
        "XADD",
        stream,
        "*",
        ...encodeOrionEvent({
          type: "ORION_MODIFIED",
          orionId,
          onTaskIds: [`t${j}`],
          onEventIds: [`c${j}`],
          eventId: `m${j}`,
        }),
      );
    }
    await pipeline.exec();
  }
}

/**
 * Recovers `orionId` in a fresh process (this file with `--recover`), so its peak RSS is
 * the recovery's own: from `runOrionWorker`'s call to `onRecovered`, then a hand-over.
 */
function recoverInChild(port: number, orionId: string, snapshotEvery: number): Promise<Recovery> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [fileURLToPath(import.meta.url), "--recover", String(port), orionId, String(snapshotEvery)],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.once("error", reject);
    child.once("exit", (code) => {
      if (code !== 0) reject(new Error(`recovery child exited with ${code}`));
      else resolve(JSON.parse(out) as Recovery);
    });
  });
}

/** The child: one recovery, measured; prints a {@link Recovery} as JSON. */
async function recoverHere(port: number, orionId: string, snapshotEvery: number): Promise<void> {
  const redis = new Redis({ port, host: "127.0.0.1" });
  let maxBlock = 0;
  let last = performance.now();
  const monitor = setInterval(() => {
    const now = performance.now();
    maxBlock = Math.max(maxBlock, now - last - 5);
    last = now;
  }, 5);
  const controller = new AbortController();
  const t = performance.now();
  let ms = 0;
  const { recovery } = await runOrionWorker(redis, {
    orionId,
    leaseMs: 2_000,
    snapshotEvery,
    retentionMs: 0,
    executeTask: () => new Promise(() => undefined),
    onRecovered: () => {
      ms = performance.now() - t;
      controller.abort();
    },
    signal: controller.signal,
  });
  clearInterval(monitor);
  redis.disconnect();
  const result: Recovery = {
    ms,
    maxBlockMs: Math.max(0, maxBlock),
    // maxRSS is in KiB.
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    events: recovery.events,
    snapshot: recovery.snapshot !== undefined,
  };
  process.stdout.write(JSON.stringify(result));
}

/**
 * One history size: recovery without a snapshot (`snapshotEvery: 0`), then a worker that
 * replays it all and compacts (the snapshot, the trim), then recovery from that snapshot.
 */
async function replay(
  redis: Redis,
  port: number,
  size: number,
): Promise<{ full: Recovery; compacting: Recovery; snapshot: Recovery }> {
  const orionId = `bench-replay-${size}`;
  await writeHistory(redis, orionId, size);
  const full = await recoverInChild(port, orionId, 0);
  const compacting = await recoverInChild(port, orionId, 10_000);
  // The stream went on after the snapshot: a tail of TAIL events.
  await writePairs(redis, orionId, size, TAIL / 2);
  // A tail shorter than snapshotEvery: this recovery does not compact again.
  const snapshot = await recoverInChild(port, orionId, 10_000);
  await redis.del(orionStreamKey(orionId), orionSnapshotKey(orionId));
  return { full, compacting, snapshot };
}

/** The section of docs/performance.md. */
export async function redisFencingSection(): Promise<string> {
  const title = "## Redis: fenced starts, replay and compaction";
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
      const r = await replay(redis, server.port, size);
      const row = (what: string, x: Recovery): string[] => [
        formatNumber(size),
        what,
        formatNumber(x.events),
        `${formatNumber(Math.round(x.ms))} ms`,
        `${formatNumber(Math.round(x.maxBlockMs))} ms`,
        `${formatNumber(Math.round(x.peakRssMb))} MB`,
      ];
      rows.push(row("whole stream (`snapshotEvery: 0`)", r.full));
      rows.push(row("whole stream, then snapshot + trim", r.compacting));
      rows.push(row("**snapshot + tail**", r.snapshot));
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
      `Recovery of an orion whose stream holds N events (its \`ORION_STARTED\`, then completion and answer pairs, all with ids), each in a fresh Node process: the time from \`runOrionWorker\`'s call to \`onRecovered\` (lease, snapshot read, replay, before anything starts), the longest the event loop was blocked meanwhile (the largest lag of a 5 ms interval; the replay yields between pages of 1,000 entries, so the lease keeps being renewed) and the process's peak RSS (\`maxRSS\`, the Node runtime and ioredis included). First without compaction, then a worker that replays the whole stream and compacts at once (it writes the snapshot and trims the stream, \`retentionMs: 0\`), then ${formatNumber(TAIL)} more events, then a worker recovering from that snapshot plus that tail.`,
      "",
      markdownTable(
        ["Events in history", "recovery", "events replayed", "time", "longest block", "peak RSS"],
        rows,
      ),
      "",
    ].join("\n");
  } finally {
    redis.disconnect();
    await server.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  if (process.argv[2] === "--recover") {
    await recoverHere(Number(process.argv[3]), process.argv[4] ?? "", Number(process.argv[5]));
  } else {
    console.log(await redisFencingSection());
  }
}
