/**
 * fromRedisStream / toRedisStream against a real redis-server started for this file.
 */
import { Redis } from "ioredis";
import { asyncScheduler, firstValueFrom, take, toArray } from "rxjs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { InvalidEventError, type OrionEvent } from "../../src/events.js";
import { OrionModificationSynchronizer } from "../../src/synchronizer.js";
import {
  fromRedisStream,
  orionStreamKey,
  toRedisStream,
  type InvalidStreamEntry,
  type RedisStreamClient,
} from "../../redis/index.js";
import { startRedisServer, type RedisServer } from "./support/redisServer.js";
import { until } from "./support/until.js";
import { trackingScheduler } from "../support/trackingScheduler.js";

let server: RedisServer;
let redis: Redis;
let streamCount = 0;
const clients: Redis[] = [];

/** A fresh stream key per test. */
const newStream = (): string => orionStreamKey(`adapter-${++streamCount}`);

function connect(): Redis {
  const client = new Redis({ port: server.port, host: "127.0.0.1", lazyConnect: false });
  clients.push(client);
  return client;
}

/** How many client connections the server has. */
async function connections(): Promise<number> {
  const list = (await redis.call("CLIENT", "LIST")) as string;
  return list.trim().split("\n").length;
}

const completed = (taskId: string): OrionEvent => ({
  type: "TASK_COMPLETED",
  orionId: "o",
  taskId,
});

beforeAll(async () => {
  server = await startRedisServer();
  redis = connect();
});

afterEach(async () => {
  // Every reader of the test closed what it owned: only the test's own client is left.
  await until(async () => (await connections()) === clients.length, "readers closed");
}, 20_000);

afterAll(async () => {
  for (const client of clients) client.disconnect();
  await server?.stop();
});

describe("toRedisStream / fromRedisStream", () => {
  it("an ioredis client is a RedisStreamClient", () => {
    const client: RedisStreamClient = redis;
    expect(typeof client.call).toBe("function");
  });

  it("publishes events as versioned JSON entries and reads them back in order", async () => {
    const stream = newStream();
    const publisher = toRedisStream(redis, stream);
    const events: OrionEvent[] = [
      { type: "TASK_STARTED", orionId: "o", taskId: "a", timestamp: 1 },
      completed("a"),
      { type: "ORION_MODIFIED", orionId: "o", onTaskIds: ["a"] },
    ];
    const ids: string[] = [];
    for (const event of events) ids.push(await publisher.publish(event));
    const raw = (await redis.call("XRANGE", stream, "-", "+")) as [string, string[]][];
    expect(raw.map(([id]) => id)).toEqual(ids);
    expect(raw[2]?.[1]).toEqual(["v", "1", "event", JSON.stringify(events[2])]);

    const read = await firstValueFrom(fromRedisStream(redis, { stream }).pipe(take(3), toArray()));
    // A task event's timestamp is the broker's time of its entry.
    const time = (id: string): number => Number(id.split("-")[0]);
    expect(read).toEqual([
      { ...events[0], timestamp: time(ids[0] as string) },
      { ...events[1], timestamp: time(ids[1] as string) },
      events[2],
    ]);
    const kept = await firstValueFrom(
      fromRedisStream(redis, { stream, timestamp: "event" }).pipe(take(1)),
    );
    expect(kept).toEqual(events[0]);
  });

  it("refuses to publish an invalid event, writing nothing", async () => {
    const stream = newStream();
    const publisher = toRedisStream(redis, stream);
    await expect(
      publisher.publish({ type: "TASK_COMPLETED", orionId: "o" } as unknown as OrionEvent),
    ).rejects.toBeInstanceOf(InvalidEventError);
    expect(await redis.call("XLEN", stream)).toBe(0);
  });

  it("reads only new entries from '$', even across idle blocking reads", async () => {
    const stream = newStream();
    const publisher = toRedisStream(redis, stream);
    await publisher.publish(completed("old"));
    const seen: OrionEvent[] = [];
    const subscription = fromRedisStream(redis, { stream, from: "$", blockMs: 20 }).subscribe((e) =>
      seen.push(e),
    );
    await new Promise((resolve) => setTimeout(resolve, 100)); // some empty reads
    await publisher.publish(completed("new"));
    await until(() => seen.length === 1, "the new entry is read");
    subscription.unsubscribe();
    expect(seen.map((e) => (e as { taskId: string }).taskId)).toEqual(["new"]);
  });

  it("counts, acknowledges and skips malformed entries without failing the stream", async () => {
    const stream = newStream();
    const publisher = toRedisStream(redis, stream);
    await publisher.publish(completed("a"));
    await redis.call("XADD", stream, "*", "event", JSON.stringify(completed("x"))); // no version
    await redis.call("XADD", stream, "*", "v", "2", "event", JSON.stringify(completed("x")));
    await redis.call("XADD", stream, "*", "v", "1", "event", "{not json");
    await redis.call("XADD", stream, "*", "v", "1"); // no event
    await redis.call("XADD", stream, "*", "v", "1", "event", JSON.stringify({ type: "NOPE" }));
    await publisher.publish(completed("b"));

    const invalid: InvalidStreamEntry[] = [];
    const sync = new OrionModificationSynchronizer();
    const connection = sync.connect(
      fromRedisStream(redis, {
        stream,
        group: "g",
        consumer: "c",
        onInvalid: (entry) => invalid.push(entry),
      }),
    );
    await until(() => sync.getPendingCount() === 2, "both valid entries are applied");
    await until(async () => (await pendingCount(stream, "g")) === 0, "every entry is acknowledged");
    connection.unsubscribe();
    sync.dispose();
    expect(sync.getPendingTaskIds().sort()).toEqual(["a", "b"]);
    expect(invalid.map((e) => e.error.message)).toEqual([
      "invalid stream entry: the entry has no version field `v`",
      'invalid stream entry: unsupported entry version "2"',
      expect.stringMatching(/^invalid stream entry: the event is not JSON/),
      "invalid stream entry: the entry has no `event` field",
      expect.stringMatching(/^invalid orion event: type: expected one of/),
    ]);
    expect(invalid[4]?.error).toBeInstanceOf(InvalidEventError);
    expect(invalid.every((e) => e.stream === stream && e.id.includes("-"))).toBe(true);
  });

  async function pendingCount(stream: string, group: string): Promise<number> {
    const summary = (await redis.call("XPENDING", stream, group)) as [number, ...unknown[]];
    return Number(summary[0]);
  }

  it("a group acknowledges what was applied; what was delivered but not applied comes again", async () => {
    const stream = newStream();
    const publisher = toRedisStream(redis, stream);
    for (const id of ["a", "b", "c", "d"]) await publisher.publish(completed(id));
    // Two events applied, then the subscriber stops in the middle of the read batch.
    const first = await firstValueFrom(
      fromRedisStream(redis, { stream, group: "g", consumer: "w1" }).pipe(take(2), toArray()),
    );
    expect(first.map((e) => (e as { taskId: string }).taskId)).toEqual(["a", "b"]);
    await until(async () => (await pendingCount(stream, "g")) === 2, "a and b acknowledged");
    // A crash after reading: entries delivered to w1, never acknowledged.
    await publisher.publish(completed("e"));
    // The same consumer name gets c, d (delivered, not applied) and e, each once.
    const again = await firstValueFrom(
      fromRedisStream(redis, { stream, group: "g", consumer: "w1" }).pipe(take(3), toArray()),
    );
    expect(again.map((e) => (e as { taskId: string }).taskId)).toEqual(["c", "d", "e"]);
    await until(async () => (await pendingCount(stream, "g")) === 0, "all acknowledged");
  });

  it("unsubscribing during a blocking read closes the owned connection at once", async () => {
    const stream = newStream();
    const before = await connections();
    // BLOCK 0 waits forever: only closing the connection can end this read.
    const subscription = fromRedisStream(redis, { stream, blockMs: 0 }).subscribe();
    await until(async () => (await connections()) === before + 1, "the reader connected");
    await new Promise((resolve) => setTimeout(resolve, 50));
    subscription.unsubscribe();
    await until(async () => (await connections()) === before, "the reader disconnected", 300);
    // The user's client is untouched.
    expect(await redis.ping()).toBe("PONG");
  });

  it.each<[string, { from?: string; group?: string }]>([
    ["from '$' (resolving the tail)", { from: "$" }],
    ["with a group (creating it)", { group: "g" }],
    ["from '0'", {}],
  ])(
    "unsubscribing while the first command is in flight closes the owned connection, %s",
    async (_, options) => {
      const stream = newStream();
      const before = await connections();
      const subscription = fromRedisStream(redis, { stream, blockMs: 0, ...options }).subscribe();
      await new Promise((resolve) => setImmediate(resolve)); // the first command is sent
      subscription.unsubscribe();
      // BLOCK 0: a read started after the teardown would hold a connection forever.
      await new Promise((resolve) => setTimeout(resolve, 100));
      await until(async () => (await connections()) === before, "the reader disconnected", 100);
    },
  );

  it("skips (reports, acknowledges) an entry too deep or too long; the next entries still come", async () => {
    const stream = newStream();
    const publisher = toRedisStream(redis, stream);
    const deep = "[".repeat(200_000) + "1" + "]".repeat(200_000);
    const hostile = `{"type":"TASK_COMPLETED","orionId":"o","taskId":"x","result":${deep}}`;
    await redis.call("XADD", stream, "*", "v", "1", "event", hostile);
    await publisher.publish({
      type: "TASK_COMPLETED",
      orionId: "o",
      taskId: "long",
      result: "x".repeat(600_000),
    });
    await publisher.publish(completed("a"));
    const invalid: InvalidStreamEntry[] = [];
    const events = await firstValueFrom(
      fromRedisStream(redis, {
        stream,
        group: "g",
        maxEntryLength: 500_000,
        onInvalid: (entry) => invalid.push(entry),
      }).pipe(take(1), toArray()),
    );
    expect(events).toMatchObject([{ taskId: "a" }]);
    expect(invalid.map((e) => e.error.message)).toEqual([
      "invalid stream entry: the event is nested deeper than 512",
      expect.stringMatching(
        /^invalid stream entry: the entry has \d+ characters, more than the limit 500000$/,
      ),
    ]);
    await until(async () => (await pendingCount(stream, "g")) === 0, "all acknowledged");
  });

  it("leaves no timer behind: read watchdog, retry delay", async () => {
    const scheduler = trackingScheduler(asyncScheduler);
    const stream = newStream();
    const open = await connections();
    const errors: unknown[] = [];
    // A blocked read (with its watchdog), and a reader waiting to retry after an error.
    const blocked = fromRedisStream(redis, { stream, blockMs: 10_000, scheduler }).subscribe();
    const failing = fromRedisStream(redis, {
      stream,
      group: "g",
      blockMs: 10_000,
      retryDelay: 10_000,
      scheduler,
      onError: (error) => errors.push(error),
    }).subscribe();
    await until(async () => (await connections()) === open + 2, "both readers connected");
    await until(() => scheduler.live() === 2, "both reads are blocked, with their watchdogs");
    await redis.call("XGROUP", "DESTROY", stream, "g"); // the blocked group read fails
    await until(() => errors.length === 1, "the group reader waits to retry");
    expect(scheduler.live()).toBe(2); // a watchdog and a retry delay
    blocked.unsubscribe();
    failing.unsubscribe();
    expect(scheduler.live()).toBe(0);
    await until(async () => (await connections()) === open, "both readers closed", 300);
    expect(scheduler.live()).toBe(0);
  });

  it("never closes a connection it was given, nor the client", async () => {
    const stream = newStream();
    const mine = connect();
    const subscription = fromRedisStream(redis, {
      stream,
      connection: mine,
      blockMs: 50,
    }).subscribe();
    await new Promise((resolve) => setTimeout(resolve, 30));
    subscription.unsubscribe();
    expect(await mine.ping()).toBe("PONG");
    expect(await redis.ping()).toBe("PONG");
    expect(mine.status).toBe("ready");
  });

  it("rejects a bad count, block time or start id at call time", () => {
    expect(() => fromRedisStream(redis, { stream: "s", count: 0 })).toThrow(RangeError);
    expect(() => fromRedisStream(redis, { stream: "s", blockMs: -1 })).toThrow(RangeError);
    expect(() => fromRedisStream(redis, { stream: "s", from: "latest" })).toThrow(RangeError);
  });

  it("fails, without retrying, when the key is not a stream", async () => {
    await redis.set("not-a-stream", "x");
    const errors: unknown[] = [];
    const failure = await firstValueFrom(
      fromRedisStream(redis, { stream: "not-a-stream", onError: (e) => errors.push(e) }),
    ).catch((error: unknown) => error);
    expect(String(failure)).toMatch(/WRONGTYPE/);
    expect(errors).toEqual([]);
  });
});
