/**
 * The chaos test's agent process (REDIS_PORT, ORION_ID): answers every task end of its
 * orion with ORION_MODIFIED after a few ms, in consumer group `agent`; exits when the
 * orion ends.
 */
import { Redis } from "ioredis";
import { fromRedisStream, orionStreamKey, toRedisStream } from "../../../redis/index.js";

const orionId = process.env["ORION_ID"] as string;
const redis = new Redis({ port: Number(process.env["REDIS_PORT"]), host: "127.0.0.1" });
const stream = orionStreamKey(orionId);
const publisher = toRedisStream(redis, stream);

await new Promise<void>((resolve, reject) => {
  const subscription = fromRedisStream(redis, {
    stream,
    group: "agent",
    consumer: "a-1",
  }).subscribe({
    next: (event) => {
      if (event.orionId !== orionId) return;
      if (event.type === "TASK_COMPLETED" || event.type === "TASK_FAILED") {
        setTimeout(
          () => {
            void publisher.publish({ type: "ORION_MODIFIED", orionId, onTaskIds: [event.taskId] });
          },
          5 + Math.floor(Math.random() * 20),
        );
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
