/**
 * Compaction against a real redis-server: a worker writes a fenced snapshot and trims the
 * stream behind it; a new worker recovers from snapshot + tail exactly what a replay of the
 * whole stream gives; consumer groups never lose an unread entry; a trimmed stream without
 * its snapshot, or a corrupt snapshot, stops the worker instead of re-running the orion.
 */
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import {
  encodeOrionEvent,
  HistoryLostError,
  orionSnapshotKey,
  orionStreamKey,
  runOrionWorker,
  type OrionRecovery,
} from "../../redis/index.js";
import type { OrionEvent } from "../../src/events.js";
import { orion } from "../../src/orion/orion.js";
import { InvalidPendingSnapshotError } from "../../src/pending/snapshot.js";
import { useRedisServer, type RedisServer } from "./support/redisServer.js";

let server: RedisServer;
let redis: Redis;
useRedisServer((s, r) => {
  server = s;
  redis = r;
});

/** An orion of `n` independent tasks: `t0`..`t{n-1}`. */
const plan = (id: string, n: number) => {
  let builder = orion(id);
  for (let i = 0; i < n; i++) builder = builder.task(`t${i}`);
  return builder.build();
};

/**
 * A log an earlier worker left: the orion started, tasks `t0..t{done-1}` completed (each
 * answered but the last `unanswered`), `t{done}` running; plus `filler` answered
 * completions of tasks of another orion (ignored) to make it long.
 */
async function writeLog(
  orionId: string,
  {
    tasks,
    done,
    unanswered,
    filler,
  }: { tasks: number; done: number; unanswered: number; filler: number },
): Promise<void> {
  const stream = orionStreamKey(orionId);
  const add = (event: OrionEvent) => redis.call("XADD", stream, "*", ...encodeOrionEvent(event));
  await add({ type: "ORION_STARTED", orionId, orion: plan(orionId, tasks), eventId: "s" });
  for (let i = 0; i < done; i++) {
    await add({ type: "TASK_STARTED", orionId, taskId: `t${i}`, eventId: `b${i}` });
    await add({ type: "TASK_COMPLETED", orionId, taskId: `t${i}`, eventId: `c${i}`, result: i });
    if (i < done - unanswered) {
      await add({ type: "ORION_MODIFIED", orionId, onTaskIds: [`t${i}`], onEventIds: [`c${i}`] });
    }
    for (let f = 0; f < filler / done; f++) {
      await add({ type: "TASK_COMPLETED", orionId: "other", taskId: `x${i}-${f}` });
    }
  }
  await add({ type: "TASK_STARTED", orionId, taskId: `t${done}`, eventId: `b${done}` });
}

/** Runs a worker until it has recovered, then stops it (a hand-over): its recovery. */
async function recoverOnce(
  orionId: string,
  options: { snapshotEvery?: number; retentionMs?: number } = {},
): Promise<OrionRecovery> {
  const controller = new AbortController();
  const { recovery } = await runOrionWorker(redis, {
    orionId,
    leaseMs: 3_000,
    modificationTimeout: 600_000,
    executeTask: () => new Promise(() => undefined),
    onRecovered: () => controller.abort(),
    signal: controller.signal,
    ...options,
  });
  return recovery;
}

/** Copies a stream entry by entry to another orion's stream (ids kept). */
async function copyStream(from: string, to: string): Promise<void> {
  const entries = (await redis.call("XRANGE", orionStreamKey(from), "-", "+")) as [
    string,
    string[],
  ][];
  for (const [id, fields] of entries) {
    const event = JSON.parse(fields[fields.indexOf("event") + 1] as string) as OrionEvent;
    const moved = event.orionId === from ? { ...event, orionId: to } : event;
    if (moved.type === "ORION_STARTED")
      (moved as { orion: unknown }).orion = { ...moved.orion, id: to };
    await redis.call("XADD", orionStreamKey(to), id, ...encodeOrionEvent(moved));
  }
}

describe("compaction", () => {
  it("recovers from snapshot + tail what a replay of the whole stream gives, and trims behind it", async () => {
    await writeLog("c1", { tasks: 40, done: 30, unanswered: 3, filler: 60 });
    await copyStream("c1", "c1-full");
    const lengthBefore = Number(await redis.call("XLEN", orionStreamKey("c1")));

    // The first worker replays it all, then compacts at once (more than snapshotEvery entries).
    const first = await recoverOnce("c1", { snapshotEvery: 50, retentionMs: 0 });
    expect(first.snapshot).toBeUndefined();
    const stored = JSON.parse((await redis.get(orionSnapshotKey("c1"))) as string) as {
      lastId: string;
      events: number;
      pending: { stats: { totalModifications: number } };
    };
    expect(stored.lastId).toBe(first.lastId);
    expect(stored.pending.stats.totalModifications).toBe(30);
    const lengthAfter = Number(await redis.call("XLEN", orionStreamKey("c1")));
    // Everything behind the snapshot's last entry is gone, plus the hand-over's TASK_FAILED.
    expect(lengthBefore).toBeGreaterThan(100);
    expect(lengthAfter).toBeLessThanOrEqual(3);

    // The next worker: snapshot + tail, against a full replay of an uncompacted copy.
    const second = await recoverOnce("c1", { snapshotEvery: 0 });
    const full = await recoverOnce("c1-full", { snapshotEvery: 0 });
    expect(second.snapshot).toBe(first.lastId);
    expect(second.events).toBeLessThanOrEqual(3);
    expect(second.resumed).toBe(true);
    expect([...second.pending].sort()).toEqual([...full.pending].sort());
    expect(second.pending).toHaveLength(3);
    // The first worker failed t30 as interrupted; both now see t30's failure pending, not running.
    expect(second.interrupted).toEqual(full.interrupted);
  });

  it("the live worker compacts as the stream grows, and the orion still finishes", async () => {
    const orionId = "c2";
    const stream = orionStreamKey(orionId);
    let snapshots = 0;
    const agent = new Redis({ port: server.port, host: "127.0.0.1" });
    // A trivial agent: answers every task end at once, by event id. It reads through a
    // consumer group, from the start of the (fresh) stream, and acknowledges what it answered:
    // the compaction never trims past a group's unhandled entries, whereas a plain reader
    // that lags behind a trim with `retentionMs: 0` (a loaded machine) would miss a
    // completion, never answer it, and leave the orion waiting for the modification timeout.
    await agent.call("XGROUP", "CREATE", stream, "agent", "0", "MKSTREAM");
    let running = true;
    const agentLoop = (async () => {
      while (running) {
        const reply = (await agent.call(
          "XREADGROUP",
          "GROUP",
          "agent",
          "a1",
          "BLOCK",
          100,
          "STREAMS",
          stream,
          ">",
        )) as [string, [string, string[]][]][] | null;
        for (const [, entries] of reply ?? []) {
          for (const [id, fields] of entries) {
            const event = JSON.parse(fields[fields.indexOf("event") + 1] as string) as OrionEvent;
            if (event.type === "TASK_COMPLETED" || event.type === "TASK_FAILED") {
              await agent.call(
                "XADD",
                stream,
                "*",
                ...encodeOrionEvent({
                  type: "ORION_MODIFIED",
                  orionId,
                  onTaskIds: [event.taskId],
                  ...(event.eventId ? { onEventIds: [event.eventId] } : {}),
                }),
              );
            }
            await agent.call("XACK", stream, "agent", id);
          }
        }
      }
    })();
    const watcher = setInterval(() => {
      void redis.exists(orionSnapshotKey(orionId)).then((n) => (snapshots += n));
    }, 50);
    try {
      const result = await runOrionWorker(redis, {
        orionId,
        orion: plan(orionId, 60),
        leaseMs: 300,
        maxConcurrency: 2,
        snapshotEvery: 20,
        retentionMs: 0,
        // Slow enough that the orion outlasts several compaction rounds (every 300 ms here).
        executeTask: (task) => new Promise((resolve) => setTimeout(() => resolve(task.id), 30)),
      });
      expect(result.outcome).toBe("completed");
    } finally {
      clearInterval(watcher);
      running = false;
      await agentLoop;
      agent.disconnect();
    }
    expect(snapshots).toBeGreaterThan(0);
    // 60 tasks: 182 entries written; compaction trimmed the stream behind its snapshots.
    const info = (await redis.call("XINFO", "STREAM", stream)) as unknown[];
    const added = Number(info[info.indexOf("entries-added") + 1]);
    expect(added).toBeGreaterThan(150);
    expect(Number(info[info.indexOf("length") + 1])).toBeLessThan(added);
    // A worker arriving after the end sees it from the snapshot + tail.
    const after = await runOrionWorker(redis, { orionId, executeTask: () => null });
    expect(after.outcome).toBe("completed");
  });

  it("never trims what a consumer group has not acknowledged", async () => {
    const orionId = "c3";
    const stream = orionStreamKey(orionId);
    await writeLog(orionId, { tasks: 10, done: 5, unanswered: 0, filler: 0 });
    await redis.call("XGROUP", "CREATE", stream, "agent", "0");
    // The group read 4 entries and acknowledged none.
    const read = (await redis.call(
      "XREADGROUP",
      "GROUP",
      "agent",
      "a1",
      "COUNT",
      4,
      "STREAMS",
      stream,
      ">",
    )) as [string, [string, string[]][]][];
    const firstUnacked = read[0]?.[1][0]?.[0] as string;
    await recoverOnce(orionId, { snapshotEvery: 1, retentionMs: 0 });
    const first = (await redis.call("XRANGE", stream, "-", "+", "COUNT", 1)) as [string][];
    expect(first[0]?.[0]).toBe(firstUnacked);
  });

  it("keeps entries younger than retentionMs behind the snapshot", async () => {
    const orionId = "c4";
    await writeLog(orionId, { tasks: 10, done: 5, unanswered: 1, filler: 0 });
    const before = Number(await redis.call("XLEN", orionStreamKey(orionId)));
    const recovery = await recoverOnce(orionId, { snapshotEvery: 1, retentionMs: 60_000 });
    expect(JSON.parse((await redis.get(orionSnapshotKey(orionId))) as string)).toMatchObject({
      lastId: recovery.lastId,
    });
    expect(Number(await redis.call("XLEN", orionStreamKey(orionId)))).toBeGreaterThanOrEqual(
      before,
    );
  });

  it("a trimmed stream whose snapshot is gone is a lost history, not a fresh run", async () => {
    const orionId = "c5";
    await writeLog(orionId, { tasks: 10, done: 5, unanswered: 1, filler: 0 });
    await recoverOnce(orionId, { snapshotEvery: 1, retentionMs: 0 });
    await redis.del(orionSnapshotKey(orionId));
    await expect(
      runOrionWorker(redis, {
        orionId,
        orion: plan(orionId, 10),
        modificationTimeout: 500,
        executeTask: () => null,
      }),
    ).rejects.toBeInstanceOf(HistoryLostError);
  });

  it("a corrupt snapshot stops the worker with a typed error", async () => {
    const orionId = "c6";
    await writeLog(orionId, { tasks: 4, done: 2, unanswered: 0, filler: 0 });
    await redis.set(orionSnapshotKey(orionId), '{"format":"orion-sync/orion-snapshot@1"}');
    await expect(
      runOrionWorker(redis, { orionId, executeTask: () => null }),
    ).rejects.toBeInstanceOf(InvalidPendingSnapshotError);
    await redis.set(orionSnapshotKey(orionId), "not json");
    await expect(
      runOrionWorker(redis, { orionId, executeTask: () => null }),
    ).rejects.toBeInstanceOf(InvalidPendingSnapshotError);
  });
});
