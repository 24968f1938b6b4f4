/**
 * An agent process: reads the orion's stream (from its start, in consumer group `agent`)
 * and answers each task completion with ORION_MODIFIED. Its answer to `a` waits for a
 * line `go` on stdin and edits `b.params.v` to 2; it prints `{"waiting":"a"}` while it
 * holds that answer. Exits when the orion ends.
 */
import { createInterface } from "node:readline";
import { Redis } from "ioredis";
import type { OrionEvent } from "../../../src/events.js";
import type { TaskOrion } from "../../../src/orion/types.js";
import { fromRedisStream, orionStreamKey, toRedisStream } from "../../../redis/index.js";

const orionId = process.env["ORION_ID"] as string;
const redis = new Redis({ port: Number(process.env["REDIS_PORT"]), host: "127.0.0.1" });
const stream = orionStreamKey(orionId);
const publisher = toRedisStream(redis, stream);
const say = (line: object): void => {
  process.stdout.write(`${JSON.stringify(line)}\n`);
};
const lines = createInterface({ input: process.stdin });
const go = new Promise<void>((resolve) => lines.on("line", (line) => line === "go" && resolve()));

let orion: TaskOrion | undefined;
let answeredA = false;

async function handle(event: OrionEvent): Promise<void> {
  if (event.type === "ORION_STARTED") {
    orion ??= event.orion;
    return;
  }
  if (event.type !== "TASK_COMPLETED" && event.type !== "TASK_FAILED") return;
  if (event.taskId === "a" && !answeredA && orion !== undefined) {
    answeredA = true;
    say({ waiting: "a" });
    await go;
    const b = orion.tasks["b"];
    if (b === undefined) throw new Error("no task b");
    const newOrion: TaskOrion = {
      ...orion,
      tasks: { ...orion.tasks, b: { ...b, params: { ...b.params, v: 2 } } },
    };
    await publisher.publish({ type: "ORION_MODIFIED", orionId, onTaskIds: ["a"], newOrion });
    say({ answered: "a" });
    return;
  }
  await publisher.publish({ type: "ORION_MODIFIED", orionId, onTaskIds: [event.taskId] });
  say({ answered: event.taskId });
}

await new Promise<void>((resolve, reject) => {
  let work = Promise.resolve();
  const subscription = fromRedisStream(redis, {
    stream,
    group: "agent",
    consumer: "agent-1",
  }).subscribe({
    next: (event) => {
      work = work.then(() => handle(event));
      if (event.type === "ORION_COMPLETED" || event.type === "ORION_FAILED") {
        subscription.unsubscribe();
        work.then(resolve, reject);
      }
    },
    error: reject,
  });
});
say({ done: true });
lines.close();
await redis.quit();
