/**
 * The chaos test's agent process (REDIS_PORT, ORION_ID): answers every task end of its
 * orion with ORION_MODIFIED after a few ms, in consumer group `agent`; exits when the
 * orion ends.
 */
import { Redis } from "ioredis";
import { fromRedisStream, orionStreamKey, toRedisStream } from "../../../redis/index.js";

const orionId = process.env["ORION_ID"] as string;
const redis = new Redis({ port: Number(process.env["REDIS_PORT"]), host: "127.0.0.1" });
// The broker may crash and restart: ioredis reconnects; its errors meanwhile are expected.
redis.on("error", () => undefined);
const stream = orionStreamKey(orionId);
const publisher = toRedisStream(redis, stream);

/** Publishes the answer, retried while the broker is away (an agent must not drop one). */
async function answer(taskId: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      await publisher.publish({ type: "ORION_MODIFIED", orionId, onTaskIds: [taskId] });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

await new Promise<void>((resolve, reject) => {
  const subscription = fromRedisStream(redis, {
    stream,
    group: "agent",
    consumer: "a-1",
  }).subscribe({
    next: (event) => {
      if (event.orionId !== orionId) return;
      if (event.type === "TASK_COMPLETED" || event.type === "TASK_FAILED") {
        setTimeout(() => void answer(event.taskId), 5 + Math.floor(Math.random() * 20));
      }
      if (event.type === "ORION_COMPLETED" || event.type === "ORION_FAILED") {
        subscription.unsubscribe();
        resolve();
      }
    },
    error: reject,
  });
});
process.stdout.write(`${JSON.stringify({ done: true })}\n`);
await new Promise((resolve) => setTimeout(resolve, 50));
redis.disconnect();
