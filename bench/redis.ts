/**
 * Benchmark of the Redis Streams adapter (`orion-sync/redis`) against a real redis-server
 * that it starts itself on a free loopback port (no persistence; skipped, with a note, when
 * `redis-server` is missing).
 *
 * - Throughput: events per second published with `toRedisStream` (pipelined `XADD`s), and
 *   read back with `fromRedisStream` into the pending-modifications fold, by read batch size.
 * - Latency: from an agent's `ORION_MODIFIED` (this process) to the gate opening in another
 *   process (a child running this file with `--gate`), which folds the stream with an
 *   `OrionModificationSynchronizer` and holds a value at its gate.
 *
 * Run alone with `node dist/bench/redis.js` after `npm run build`.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Redis } from "ioredis";
import { filter, firstValueFrom, Subject } from "rxjs";
import { pendingModifications } from "../operators/pendingModifications.js";
import { fromRedisStream } from "../redis/fromRedisStream.js";
import { toRedisStream } from "../redis/toRedisStream.js";
import type { OrionEvent } from "../src/events.js";
import { OrionModificationSynchronizer } from "../src/synchronizer.js";
import { freePort } from "./freePort.js";
import { formatNumber, markdownTable, median } from "./harness.js";

const binary = process.env["REDIS_SERVER"] ?? "redis-server";
/** Register + complete cycles per throughput run: twice as many events. */
const CYCLES = 25_000;
const RUNS = 3;
const BATCHES = [100, 1_000] as const;
const LATENCY_WARMUP = 20;
const LATENCY_ROUNDS = 300;

interface Server {
  readonly port: number;
  stop(): Promise<void>;
}

export async function startServer(): Promise<Server> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "orion-sync-bench-redis-"));
  const child = spawn(
    binary,
    [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--dir",
      dir,
      "--save",
      "",
      "--appendonly",
      "no",
    ],
    { stdio: "ignore" },
  );
  for (let attempt = 0; ; attempt++) {
    const probe = new Redis({
      port,
      host: "127.0.0.1",
      lazyConnect: true,
      retryStrategy: () => null,
    });
    probe.on("error", () => undefined);
    try {
      await probe.connect();
      await probe.ping();
      break;
    } catch (error) {
      if (attempt >= 200) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    } finally {
      probe.disconnect();
    }
  }
  return {
    port,
    stop: async () => {
      await new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function cycleEvents(orionId: string): OrionEvent[] {
  const events: OrionEvent[] = [];
  for (let i = 0; i < CYCLES; i++) {
    events.push({ type: "TASK_COMPLETED", orionId, taskId: `t${i}` });
    events.push({ type: "ORION_MODIFIED", orionId, onTaskIds: [`t${i}`] });
  }
  return events;
}

/** Publishes `events` (1,000 in flight at most); returns events per second. */
async function publishAll(redis: Redis, stream: string, events: OrionEvent[]): Promise<number> {
  const publisher = toRedisStream(redis, stream);
  const start = process.hrtime.bigint();
  for (let i = 0; i < events.length; i += 1_000) {
    await Promise.all(events.slice(i, i + 1_000).map((event) => publisher.publish(event)));
  }
  return events.length / (Number(process.hrtime.bigint() - start) / 1e9);
}

/** Reads `count` events of `stream` into the fold, `batch` per read; returns events per second. */
async function foldAll(
  redis: Redis,
  stream: string,
  count: number,
  batch: number,
): Promise<number> {
  const events = new Subject<OrionEvent>();
  let seen = 0;
  const done = firstValueFrom(
    events.pipe(
      pendingModifications(),
      filter(() => seen === count),
    ),
  );
  const start = process.hrtime.bigint();
  const reading = fromRedisStream(redis, { stream, count: batch }).subscribe((event) => {
    seen++;
    events.next(event);
  });
  const state = await done;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  reading.unsubscribe();
  events.complete();
  if (state.stats.completedModifications !== CYCLES) {
    throw new Error(`bench/redis: ${state.stats.completedModifications} modifications completed`);
  }
  return count / seconds;
}

/** The `--gate` child: prints `closed <i>` when task `t<i>` is pending, `open <i> <hrtime ns>` at release. */
async function gateProcess(port: number, stream: string): Promise<void> {
  const redis = new Redis({ port, host: "127.0.0.1" });
  const sync = new OrionModificationSynchronizer();
  const triggers = new Subject<number>();
  triggers.pipe(sync.gate()).subscribe((i) => {
    process.stdout.write(`open ${i} ${process.hrtime.bigint()}\n`);
  });
  sync.state$.subscribe((state) => {
    if (state.last.kind !== "registered") return;
    const i = Number(state.last.entry.taskId.slice(1));
    triggers.next(i); // held: the gate is closed
    process.stdout.write(`closed ${i}\n`);
  });
  sync.connect(fromRedisStream(redis, { stream, from: "$" }));
  process.stdout.write("ready\n");
  process.stdin.resume();
  process.stdin.once("end", () => {
    sync.dispose();
    redis.disconnect();
    process.exit(0);
  });
}

/** Lines from a child's stdout, awaited one at a time. */
function lineReader(child: ChildProcess): () => Promise<string> {
  const lines: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  let buffer = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    buffer += chunk.toString();
    let newline: number;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      const wake = waiting.shift();
      if (wake) wake(line);
      else lines.push(line);
    }
  });
  return () => {
    const line = lines.shift();
    return line === undefined
      ? new Promise((resolve) => waiting.push(resolve))
      : Promise.resolve(line);
  };
}

async function latencies(port: number): Promise<number[]> {
  const redis = new Redis({ port, host: "127.0.0.1" });
  const stream = "orion:{latency}:events";
  const publisher = toRedisStream(redis, stream);
  const child = spawn(
    process.execPath,
    [fileURLToPath(import.meta.url), "--gate", String(port), stream],
    {
      stdio: ["pipe", "pipe", "inherit"],
    },
  );
  const next = lineReader(child);
  if ((await next()) !== "ready") throw new Error("bench/redis: the gate process did not start");
  // Let its reader pin "$" and block before the first event.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const ms: number[] = [];
  for (let i = 0; i < LATENCY_WARMUP + LATENCY_ROUNDS; i++) {
    await publisher.publish({ type: "TASK_COMPLETED", orionId: "latency", taskId: `t${i}` });
    if ((await next()) !== `closed ${i}`) throw new Error("bench/redis: out of step");
    const start = process.hrtime.bigint();
    void publisher.publish({ type: "ORION_MODIFIED", orionId: "latency", onTaskIds: [`t${i}`] });
    const [word, index, at] = (await next()).split(" ");
    if (word !== "open" || index !== String(i) || at === undefined) {
      throw new Error("bench/redis: out of step");
    }
    // process.hrtime is CLOCK_MONOTONIC on Linux: one clock for both processes.
    if (i >= LATENCY_WARMUP) ms.push(Number(BigInt(at) - start) / 1e6);
  }
  child.stdin?.end();
  await new Promise((resolve) => child.once("exit", resolve));
  redis.disconnect();
  return ms;
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** The `## Redis Streams` section of docs/performance.md. */
export async function redisSection(): Promise<string> {
  const heading = "## Redis Streams";
  const probe = spawnSync(binary, ["--version"], { encoding: "utf8" });
  if (probe.error !== undefined || probe.status !== 0) {
    return [heading, "", `Not measured: no \`${binary}\` on this machine.`, ""].join("\n");
  }
  const version = /v=(\S+)/.exec(probe.stdout)?.[1] ?? "unknown";
  const started = performance.now();
  const server = await startServer();
  try {
    const redis = new Redis({ port: server.port, host: "127.0.0.1" });
    const events = cycleEvents("bench");
    const publishRates: number[] = [];
    const foldRates = new Map<number, number[]>(BATCHES.map((b) => [b, []]));
    for (let run = 0; run < RUNS + 1; run++) {
      const stream = `orion:{bench-${run}}:events`;
      const rate = await publishAll(redis, stream, events);
      for (const batch of BATCHES) {
        const folded = await foldAll(redis, stream, events.length, batch);
        if (run > 0) foldRates.get(batch)?.push(folded);
      }
      if (run > 0) publishRates.push(rate);
      await redis.del(stream);
    }
    const ms = await latencies(server.port);
    redis.disconnect();
    const seconds = (performance.now() - started) / 1000;
    const rate = (values: readonly number[]): string =>
      `${formatNumber(median(values))} (${formatNumber(Math.min(...values))}–${formatNumber(Math.max(...values))})`;
    return [
      heading,
      "",
      `A local \`redis-server\` ${version} (loopback, no persistence) started by the bench; one ioredis ` +
        `connection per reader and per publisher. Each run publishes ${formatNumber(CYCLES)} register + ` +
        `complete cycles (${formatNumber(2 * CYCLES)} events: a \`TASK_COMPLETED\` and its \`ORION_MODIFIED\`) ` +
        "with `toRedisStream` (1,000 `publish` calls in flight at a time), then reads them back with " +
        "`fromRedisStream` (`XREAD`, `COUNT` per read as below) into `pendingModifications()` until the fold " +
        `has applied the last one. ${RUNS} runs after 1 discarded; median events per second (min–max).`,
      "",
      markdownTable(
        ["Stage", "events/s"],
        [
          ["publish (`XADD`, pipelined)", rate(publishRates)],
          ...BATCHES.map((b) => [
            `read + fold, ${formatNumber(b)} per read`,
            rate(foldRates.get(b) ?? []),
          ]),
        ],
      ),
      "",
      "Latency from the agent's `ORION_MODIFIED` to the gate opening in another process: this " +
        "process publishes a `TASK_COMPLETED`, waits until a child process (an " +
        "`OrionModificationSynchronizer` fed by `fromRedisStream`, with a value held at its gate) " +
        "reports the modification pending, then reads the clock and publishes the `ORION_MODIFIED`; " +
        "the child reads the clock when its gate releases the held value (`process.hrtime`, one " +
        `monotonic clock for both processes). ${LATENCY_ROUNDS} rounds after ${LATENCY_WARMUP} discarded, ms:`,
      "",
      markdownTable(
        ["min", "median", "p90", "p99", "max"],
        [[0, 50, 90, 99, 100].map((p) => percentile(ms, p).toFixed(2))],
      ),
      "",
      `(This section took ${Math.round(seconds)} s.)`,
      "",
    ].join("\n");
  } finally {
    await server.stop();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv[2] === "--gate")
    await gateProcess(Number(process.argv[3]), process.argv[4] ?? "");
  else console.log(await redisSection());
}
