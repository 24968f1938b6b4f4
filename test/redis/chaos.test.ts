/**
 * Chaos with real processes on a real redis-server (append-only file, `appendfsync always`):
 * an agent and orchestrator workers as child processes, compacting as they go. Each run
 * injects one fault, at random moments:
 *
 * - `pause`: a worker is paused (SIGSTOP) past its lease while another takes over, then
 *   resumed: it must stop with LeaseLostError and run nothing more;
 * - `kill`: a worker is killed (SIGKILL) at a random moment, possibly between a task's start
 *   and its record; the next one takes over;
 * - `broker`: the broker is killed (SIGKILL) and restarted on its AOF, after a random outage
 *   (sometimes longer than the lease).
 *
 * Every run also has a stray entry of another orion on the stream and a task whose result is
 * over the readers' limit. Whenever the current worker stops with an error, another is
 * started. The invariants are checked afterwards from the whole history (an audit reader in
 * this process keeps every entry, the trimmed ones included, and checks it saw as many as
 * the broker ever added) and the run log: no task attempt started twice, none run without
 * its recorded start, none run by a worker after it was paused past its lease, none lost,
 * the orion ends once. Two runs of each fault in `npm test`; 34 of each (102) with
 * ORION_SYNC_DEEP=1.
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  DEFAULT_MAX_ENTRY_LENGTH,
  encodeOrionEvent,
  orionSnapshotKey,
  orionStreamKey,
} from "../../redis/index.js";
import type { OrionEvent } from "../../src/events.js";
import { spawnTs, type TsChild } from "./support/childProcess.js";
import { startRedisServer, type RedisServer } from "./support/redisServer.js";
import { chaosOrion, runLogKey, WORKER_ID_PREFIX, workerIdOf } from "./support/scenario.js";
import { until } from "./support/until.js";

const FAULTS = ["pause", "kill", "broker"] as const;
type Fault = (typeof FAULTS)[number];
const PER_FAULT = process.env["ORION_SYNC_DEEP"] === "1" ? 34 : 2;
const LEASE_MS = 800;
/** Entries younger than this are kept behind a snapshot: the audit reader lags far less. */
const RETENTION_MS = 2_000;

let server: RedisServer;
let redis: Redis;
const children: TsChild[] = [];

beforeAll(async () => {
  server = await startRedisServer({ persistent: true });
  redis = new Redis({ port: server.port, host: "127.0.0.1" });
  redis.on("error", () => undefined);
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
const random = (ms: number): number => Math.floor(Math.random() * ms);

function start(script: string, orionId: string): TsChild {
  const child = spawnTs(script, {
    REDIS_PORT: String(server.port),
    ORION_ID: orionId,
    LEASE_MS: String(LEASE_MS),
    TASK_MS: "20",
    SNAPSHOT_EVERY: "12",
    RETENTION_MS: String(RETENTION_MS),
  });
  children.push(child);
  return child;
}

/** Retries a command while the broker is away. */
async function retrying<T>(command: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await command();
    } catch (error) {
      if (attempt >= 100) throw error;
      await sleep(50);
    }
  }
}

/**
 * The runs the workers logged, one per run: a log entry whose reply a broker crash lost is
 * sent again by the worker's client after it reconnects (as its fenced writes are), so the
 * list may hold one run twice; each run's own id tells a resent entry from a second run.
 */
async function runLog(orionId: string): Promise<{ taskId: string; pid: number; run: string }[]> {
  const lines = await retrying(() => redis.lrange(runLogKey(orionId), 0, -1));
  const runs = new Map<string, { taskId: string; pid: number; run: string }>();
  for (const line of lines) {
    const entry = JSON.parse(line) as { taskId: string; pid: number; run: string };
    runs.set(entry.run, entry);
  }
  return [...runs.values()];
}

const stray = (orionId: string, taskId: string): Promise<unknown> =>
  retrying(() =>
    redis.call(
      "XADD",
      orionStreamKey(orionId),
      "*",
      ...encodeOrionEvent({ type: "TASK_COMPLETED", orionId: `${orionId}-other`, taskId }),
    ),
  );

/** Reads every entry of `stream` as it is added, on its own connection, across restarts. */
function audit(stream: string): { entries: [string, string[]][]; stop(): Promise<void> } {
  const connection = new Redis({ port: server.port, host: "127.0.0.1" });
  connection.on("error", () => undefined);
  const entries: [string, string[]][] = [];
  let running = true;
  const loop = (async () => {
    let last = "0-0";
    while (running) {
      try {
        const reply = (await connection.call(
          "XREAD",
          "COUNT",
          1000,
          "BLOCK",
          100,
          "STREAMS",
          stream,
          last,
        )) as [string, [string, string[]][]][] | null;
        for (const [, batch] of reply ?? []) {
          for (const entry of batch) {
            entries.push(entry);
            last = entry[0];
          }
        }
      } catch {
        await sleep(20);
      }
    }
  })();
  return {
    entries,
    stop: async () => {
      running = false;
      await loop;
      connection.disconnect();
    },
  };
}

/**
 * The worker's `result` or `error` line. (Not a race of two `next`s: once the child has
 * exited, the one for the key it did not print rejects at once, and may win.)
 */
async function outcomeOf(worker: TsChild): Promise<Record<string, unknown>> {
  for (let exitedChecks = 0; ;) {
    const line = worker.lines.find((l) => "result" in l || "error" in l);
    if (line !== undefined) return line;
    if (worker.process.exitCode !== null || worker.process.signalCode !== null) {
      // Its last output may still be in the pipe: a few more looks.
      if (++exitedChecks > 20) {
        throw new Error(`a worker exited without a result or an error:\n${worker.stderr()}`);
      }
    }
    await sleep(10);
  }
}

/** Waits for the current worker to end; starts another whenever one stops with an error. */
async function driveToTheEnd(orionId: string, worker: TsChild): Promise<void> {
  for (let attempt = 0; attempt < 6; attempt++) {
    const ended = await outcomeOf(worker);
    if ("result" in ended) return;
    await worker.exited;
    worker = start("./chaosWorker.ts", orionId);
  }
  throw new Error("six workers in a row stopped with an error");
}

async function chaosRun(
  run: number,
  fault: Fault,
): Promise<{ snapshot: boolean; trimmed: boolean; rewritten: number }> {
  const orionId = `chaos-${run}-${fault}`;
  const stream = orionStreamKey(orionId);
  await stray(orionId, "x");
  const log = audit(stream);
  const agent = start("./chaosAgent.ts", orionId);
  const first = start("./chaosWorker.ts", orionId);
  const early = 1 + random(4);
  await until(
    async () => (await runLog(orionId)).length >= early,
    "the first worker ran tasks",
    3000,
  );
  let ranByPaused: { pid: number } | undefined;
  let current = first;

  if (fault === "pause") {
    // Paused past its lease: another worker takes the orion over, then it wakes up.
    first.process.kill("SIGSTOP");
    ranByPaused = { pid: first.process.pid as number };
    await sleep(LEASE_MS + 200);
    current = start("./chaosWorker.ts", orionId);
    await current.next("recovered");
    await stray(orionId, "y");
    await sleep(random(200));
    first.process.kill("SIGCONT");
    expect(await first.next("error")).toEqual({ error: "LeaseLostError" });
  } else if (fault === "kill") {
    // Killed at a random moment, possibly between a task's start and its record.
    await sleep(random(300));
    first.process.kill("SIGKILL");
    await first.exited;
    await stray(orionId, "y");
    current = start("./chaosWorker.ts", orionId);
  } else {
    // The broker crashes and restarts on its AOF; the outage may outlast the lease.
    await sleep(random(300));
    await server.stopServer("SIGKILL");
    await sleep(random(LEASE_MS * 1.5));
    await server.startServer();
    await stray(orionId, "y");
  }
  await Promise.race([
    driveToTheEnd(orionId, current),
    sleep(60_000).then(() => {
      throw new Error(`${orionId}: the orion did not end within 60 s`);
    }),
  ]);
  await Promise.race([
    agent.exited,
    sleep(10_000).then(() => {
      throw new Error("the agent did not see the orion end");
    }),
  ]);

  // Invariants, from the whole history and the run log.
  await until(
    async () => {
      const info = (await retrying(() => redis.call("XINFO", "STREAM", stream))) as unknown[];
      return Number(info[info.indexOf("entries-added") + 1]) === log.entries.length;
    },
    "the audit reader saw every entry ever added (none trimmed before it was read)",
    300,
  );
  await log.stop();
  const compacted = {
    rewritten: 0,
    snapshot: (await retrying(() => redis.exists(orionSnapshotKey(orionId)))) === 1,
    trimmed: Number(await retrying(() => redis.call("XLEN", stream))) < log.entries.length,
  };
  for (const [, fields] of log.entries) {
    expect(fields.join("").length).toBeLessThanOrEqual(DEFAULT_MAX_ENTRY_LENGTH);
  }
  const events = log.entries
    .map(([, fields]) => JSON.parse(fields[fields.indexOf("event") + 1] as string) as OrionEvent)
    .filter((event) => event.orionId === orionId);
  // Each TASK_STARTED entry: the attempt (its event id) and the worker that wrote it.
  const startEntries = log.entries.flatMap(([id, fields]) => {
    const event = JSON.parse(fields[fields.indexOf("event") + 1] as string) as OrionEvent;
    if (event.orionId !== orionId || event.type !== "TASK_STARTED") return [];
    const origin = fields[fields.indexOf("origin") + 1];
    return [{ id, taskId: event.taskId, eventId: event.eventId, origin }];
  });
  const attempts = new Map<string, (typeof startEntries)[number]>();
  let rewritten = 0;
  for (const entry of startEntries) {
    const seen = attempts.get(entry.eventId ?? entry.id);
    if (seen === undefined) attempts.set(entry.eventId ?? entry.id, entry);
    else {
      // The same write twice (the client resent it after the broker crashed with its reply
      // unsent): one attempt, recorded twice, by one worker.
      expect(seen.origin, `${orionId}: one start id, two workers`).toBe(entry.origin);
      rewritten++;
    }
  }
  const started = Array.from(attempts.values(), (entry) => entry.taskId);
  const endedTasks = new Map<string, OrionEvent>();
  for (const e of events) {
    if (e.type === "TASK_COMPLETED" || e.type === "TASK_FAILED") endedTasks.set(e.taskId, e);
  }
  // No task attempt started twice (no retries here: one attempt per task).
  expect(started.length, `${orionId}: a task started twice: ${JSON.stringify(startEntries)}`).toBe(
    new Set(started).size,
  );
  // Every run was recorded before it ran, and ran at most once.
  const ran = await runLog(orionId);
  expect(ran.length).toBe(new Set(ran.map((r) => r.taskId)).size);
  for (const { taskId } of ran) expect(started).toContain(taskId);
  // The paused worker ran only what it had recorded under its lease, and wrote nothing after
  // its successor took over: checked on the data (the stream's order, the entries' origin).
  // A count of its runs taken at SIGSTOP would not do: kill() returns before the child is
  // stopped, so a run it logs meanwhile lands after the count; and a start whose fenced write
  // was answered while it slept runs when it wakes (its successor failed that task as
  // interrupted, and every write of the woken worker is refused: at most once holds).
  if (ranByPaused !== undefined) {
    const paused = workerIdOf(ranByPaused.pid);
    const startedByPaused = new Set(
      startEntries.filter((e) => e.origin === paused).map((e) => e.taskId),
    );
    for (const r of ran.filter((x) => x.pid === ranByPaused.pid)) {
      expect(startedByPaused, `${orionId}: the paused worker ran ${r.taskId}`).toContain(r.taskId);
    }
    const origins = log.entries.map(([, fields]) => fields[fields.indexOf("origin") + 1]);
    const successorFirst = origins.findIndex(
      (o) => o !== undefined && o.startsWith(WORKER_ID_PREFIX) && o !== paused,
    );
    if (successorFirst >= 0) {
      expect(origins.slice(successorFirst), `${orionId}: a write after the takeover`).not.toContain(
        paused,
      );
    }
  }
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
  return { ...compacted, rewritten };
}

it(
  `pause past the lease, kill, broker restart on AOF, with stray entries and an oversized result: ${PER_FAULT * FAULTS.length} runs, 0 violations`,
  async () => {
    const counts: Record<Fault, number> = { pause: 0, kill: 0, broker: 0 };
    const began = Date.now();
    let snapshots = 0;
    let trims = 0;
    let rewrites = 0;
    for (let run = 0; run < PER_FAULT * FAULTS.length; run++) {
      const fault = FAULTS[run % FAULTS.length] as Fault;
      const compacted = await chaosRun(run, fault);
      counts[fault]++;
      if (compacted.snapshot) snapshots++;
      if (compacted.trimmed) trims++;
      rewrites += compacted.rewritten;
    }
    // The numbers, for the record (a failed run fails the test above with its violation).
    console.log(
      `chaos: ${JSON.stringify(counts)} runs, 0 violations; ${snapshots} with a snapshot, ${trims} trimmed; ${rewrites} start(s) recorded twice by a resent write; ${Math.round((Date.now() - began) / 1000)} s`,
    );
  },
  30_000 * PER_FAULT * FAULTS.length,
);
