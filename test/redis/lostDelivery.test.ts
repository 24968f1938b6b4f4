/**
 * A group delivery whose reply never reached the reader (the broker ran the read, then
 * crashed; the client resent the blocked read on its new connection, with no error): the
 * entry sits in the consumer's pending list, and a `>` read never returns it again. Found by
 * the chaos suite's broker restarts (an agent never answered a completion). The reader
 * re-reads its own unacknowledged entries when idle, so the entry still comes.
 */
import type { Redis } from "ioredis";
import { expect, it } from "vitest";
import { encodeOrionEvent, fromRedisStream } from "../../redis/index.js";
import type { OrionEvent } from "../../src/events.js";
import { useRedisServer } from "./support/redisServer.js";
import { until } from "./support/until.js";

let redis: Redis;
useRedisServer((_, r) => {
  redis = r;
});

const completed = (taskId: string): string[] =>
  encodeOrionEvent({ type: "TASK_COMPLETED", orionId: "o", taskId });

it("emits an entry delivered to its consumer by a read whose reply it never saw", async () => {
  const stream = "lost-delivery";
  await redis.call("XADD", stream, "*", ...completed("a"));
  const seen: OrionEvent[] = [];
  const subscription = fromRedisStream(redis, {
    stream,
    group: "agent",
    consumer: "c1",
    blockMs: 100,
  }).subscribe((event) => seen.push(event));
  try {
    await until(() => seen.length === 1, "the first entry came");
    // One step: the entry is added and delivered to c1 by a read that is not the reader's,
    // as the lost reply of a read the broker ran. The reader's own blocked read gets nothing.
    const lost = await redis
      .multi()
      .call("XADD", stream, "*", ...completed("b"))
      .call("XREADGROUP", "GROUP", "agent", "c1", "COUNT", 10, "STREAMS", stream, ">")
      .exec();
    expect(lost?.[1]?.[1]).not.toBeNull();
    await until(() => seen.length === 2, "the lost delivery came", 300);
    expect(seen.map((e) => (e.type === "TASK_COMPLETED" ? e.taskId : e.type))).toEqual(["a", "b"]);
    // And it was acknowledged: nothing of c1's is pending.
    await until(
      async () => ((await redis.call("XPENDING", stream, "agent")) as [number])[0] === 0,
      "it was acknowledged",
    );
  } finally {
    subscription.unsubscribe();
  }
});
