/**
 * The broker restarts under live readers (a persistent redis-server, stopped and started
 * on the same port and data): they reconnect and resume, and every event reaches the fold
 * once, in order.
 */
import { Redis, type RedisOptions } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  fromRedisStream,
  orionStreamKey,
  toRedisStream,
  type RedisStreamClient,
} from "../../redis/index.js";
import type { OrionEvent } from "../../src/events.js";
import { OrionModificationSynchronizer } from "../../src/synchronizer.js";
import { startRedisServer, type RedisServer } from "./support/redisServer.js";
import { until } from "./support/until.js";

let server: RedisServer;
let redis: Redis;
const clients: Redis[] = [];

function connect(options: RedisOptions = {}): Redis {
  const client = new Redis({ port: server.port, host: "127.0.0.1", ...options });
  client.on("error", () => undefined); // reconnecting while the broker is down
  clients.push(client);
  return client;
}

beforeAll(async () => {
  server = await startRedisServer({ persistent: true });
  redis = connect();
});

afterAll(async () => {
  for (const client of clients) client.disconnect();
  await server?.stop();
});

async function serverRunId(): Promise<string> {
  const info = (await redis.call("INFO", "server")) as string;
  return /run_id:(\w+)/.exec(info)?.[1] ?? "";
}

const completed = (taskId: string): OrionEvent => ({
  type: "TASK_COMPLETED",
  orionId: "o",
  taskId,
});

type Mode = "group" | "plain";

it.each<[string, RedisOptions]>([
  ["resends the blocked read itself", {}],
  // Without the client's resend, the blocked read is dropped: the reader's watchdog
  // abandons it and the reader retries.
  ["fails the blocked read", { autoResendUnfulfilledCommands: false }],
])("readers resume after a broker restart (the client %s)", async (_, clientOptions) => {
  const stream = orionStreamKey(`restart-${clients.length}`);
  const readerClient = connect(clientOptions);
  const publisher = toRedisStream(redis, stream);
  const tasks = Array.from({ length: 10 }, (_, i) => `t${i + 1}`);
  const seen: Record<Mode, string[]> = { group: [], plain: [] };
  const ended: Record<Mode, boolean> = { group: false, plain: false };
  const syncs: Record<Mode, OrionModificationSynchronizer> = {
    group: new OrionModificationSynchronizer(),
    plain: new OrionModificationSynchronizer(),
  };
  const errors: unknown[] = [];
  const record = (mode: Mode) => (event: OrionEvent) => {
    if (event.type === "TASK_COMPLETED") seen[mode].push(event.taskId);
    if (event.type === "ORION_COMPLETED") ended[mode] = true;
    syncs[mode].onEvent(event);
  };
  const options = {
    stream,
    blockMs: 500,
    readTimeout: 1500,
    retryDelay: 50,
    onError: (e: unknown) => errors.push(e),
  };
  const readers = [
    fromRedisStream(readerClient, { ...options, group: "g", consumer: "c" }).subscribe(
      record("group"),
    ),
    fromRedisStream(readerClient, options).subscribe(record("plain")),
  ];
  const runId = await serverRunId();
  for (const task of tasks.slice(0, 5)) await publisher.publish(completed(task));
  await until(() => seen.group.length === 5 && seen.plain.length === 5, "the first five are read");

  await server.stopServer();
  // Published while the broker is down: the client queues it until it reconnects.
  const queued = publisher.publish(completed("t6"));
  await server.startServer();
  await queued;
  for (const task of tasks.slice(6)) await publisher.publish(completed(task));
  // A last event: once it is read, anything read twice before it would have shown.
  await publisher.publish({ type: "ORION_COMPLETED", orionId: "o" });
  await until(() => ended.group && ended.plain, "the last event is read");
  for (const subscription of readers) subscription.unsubscribe();
  expect(await serverRunId()).not.toBe(runId); // it did restart
  if (clientOptions.autoResendUnfulfilledCommands === false) {
    expect(errors.length).toBeGreaterThan(0); // the retry path did run
  }

  expect(seen.group).toEqual(tasks);
  expect(seen.plain).toEqual(tasks);
  for (const sync of Object.values(syncs)) {
    expect(sync.getStatistics()).toMatchObject({ totalModifications: 10, duplicateEvents: 0 });
    sync.dispose();
  }
  // Every applied entry is acknowledged (the last acknowledgement may still be on its way).
  await until(async () => {
    const [pending] = (await redis.call("XPENDING", stream, "g")) as [number];
    return pending === 0;
  }, "every entry is acknowledged");
});

/**
 * A client (reconnecting every 20 ms while the broker is down) recording every connection a
 * reader duplicates from it, and how many times each tried to reconnect.
 */
function recordingDuplicates(): { client: RedisStreamClient; reconnects: number[] } {
  // Commands wait offline for the broker as long as it takes (as blocking clients are set up).
  const base = connect({ retryStrategy: () => 20, maxRetriesPerRequest: null });
  const reconnects: number[] = [];
  const client: RedisStreamClient = {
    call: (command, ...args) => base.call(command, ...args),
    duplicate: () => {
      const duplicate = base.duplicate();
      const index = reconnects.push(0) - 1;
      duplicate.on("reconnecting", () => reconnects[index]!++);
      clients.push(duplicate);
      return duplicate;
    },
    quit: () => base.quit(),
    disconnect: () => base.disconnect(),
  };
  return { client, reconnects };
}

/** `reconnects` a little later: long enough for several 20 ms reconnection attempts. */
async function later(reconnects: number[]): Promise<number[]> {
  await new Promise((resolve) => setTimeout(resolve, 300));
  return [...reconnects];
}

it("unsubscribing while the broker is down ends the owned connections: no reconnecting forever", async () => {
  const { client, reconnects } = recordingDuplicates();
  const errors: unknown[] = [];
  // A reader reading when the broker goes away: unsubscribed in its retry delay, after a
  // read queued while offline was abandoned.
  const reading = fromRedisStream(client, {
    stream: orionStreamKey("outage-unsubscribe"),
    blockMs: 100,
    readTimeout: 200,
    retryDelay: 300,
    onError: (e) => errors.push(e),
  }).subscribe();
  await until(() => reconnects.length === 1, "the reader connected");
  await new Promise((resolve) => setTimeout(resolve, 50));
  await server.stopServer();
  try {
    await until(() => errors.length >= 2, "a read queued offline was abandoned");
    // A reader subscribed during the outage: its first command (XGROUP) waits offline.
    const starting = fromRedisStream(client, { stream: "outage-group", group: "g" }).subscribe();
    const last = reconnects.length - 1;
    await until(() => (reconnects[last] ?? 0) > 0, "the new reader's connection is reconnecting");
    reading.unsubscribe();
    starting.unsubscribe();
    const after = [...reconnects];
    expect(await later(reconnects)).toEqual(after);
  } finally {
    await server.startServer();
  }
});

it("a read abandoned by the watchdog does not pile up: its connection is replaced", async () => {
  const { client, reconnects } = recordingDuplicates();
  const errors: unknown[] = [];
  const subscription = fromRedisStream(client, {
    stream: orionStreamKey("outage-watchdog"),
    blockMs: 100,
    readTimeout: 200,
    retryDelay: 10,
    onError: (e) => errors.push(e),
  }).subscribe();
  await until(() => reconnects.length === 1, "the reader connected");
  await new Promise((resolve) => setTimeout(resolve, 50));
  await server.stopServer();
  try {
    await until(() => errors.length >= 3, "three reads abandoned");
    expect(String(errors[0])).toMatch(/no reply to XREAD in 200 ms/);
    // A fresh connection per abandoned read; the abandoned ones stopped reconnecting.
    const replaced = reconnects.length - 1;
    expect(replaced).toBeGreaterThanOrEqual(3);
    const before = reconnects.slice(0, replaced);
    expect((await later(reconnects)).slice(0, replaced)).toEqual(before);
  } finally {
    subscription.unsubscribe();
    await server.startServer();
  }
});
