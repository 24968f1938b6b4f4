/**
 * Without a server: what one hostile entry or event can do (nothing: it is refused or
 * skipped), which server errors are retried, and option validation. A scripted
 * `RedisStreamClient` stands for the broker where only the reader's logic is under test.
 */
import { firstValueFrom, toArray } from "rxjs";
import { describe, expect, it } from "vitest";
import {
  decodeStreamEntry,
  encodeOrionEvent,
  fromRedisStream,
  MAX_EVENT_DEPTH,
  runOrionWorker,
  toRedisStream,
  UnpublishableEventError,
  type RedisStreamClient,
} from "../../redis/index.js";
import type { OrionEvent } from "../../src/events.js";

/** A JSON array nested `depth` deep around `1`. */
const nested = (depth: number): string => "[".repeat(depth) + "1" + "]".repeat(depth);

const completedWith = (result: string): string[] => [
  "v",
  "1",
  "event",
  `{"type":"TASK_COMPLETED","orionId":"o","taskId":"a","result":${result}}`,
];

describe("decodeStreamEntry", () => {
  it("decodes what encodeOrionEvent wrote, with the entry's time on task events", () => {
    const event: OrionEvent = { type: "TASK_STARTED", orionId: "o", taskId: "a", timestamp: 1 };
    expect(decodeStreamEntry(encodeOrionEvent(event, "w"), 42)).toEqual({
      ok: true,
      event: { ...event, timestamp: 42 },
      origin: "w",
    });
  });

  it("refuses an event nested deeper than MAX_EVENT_DEPTH, and accepts one at the limit", () => {
    // The event object is depth 1: its result may be MAX_EVENT_DEPTH - 1 deep.
    expect(decodeStreamEntry(completedWith(nested(MAX_EVENT_DEPTH - 1))).ok).toBe(true);
    const deeper = decodeStreamEntry(completedWith(nested(MAX_EVENT_DEPTH)));
    expect(deeper).toMatchObject({ ok: false });
    expect(!deeper.ok && deeper.error.message).toBe(
      `invalid stream entry: the event is nested deeper than ${MAX_EVENT_DEPTH}`,
    );
    // What the review found: 200 000 deep parses, then overflows whatever walks it.
    expect(decodeStreamEntry(completedWith(nested(200_000))).ok).toBe(false);
  });

  it("does not count brackets inside strings (nor escaped quotes) as nesting", () => {
    const text = JSON.stringify(`\\"${"[{".repeat(2 * MAX_EVENT_DEPTH)}`);
    const decoded = decodeStreamEntry(completedWith(text));
    expect(decoded).toMatchObject({ ok: true, event: { result: JSON.parse(text) as unknown } });
  });

  it("refuses an entry longer than maxEntryLength characters", () => {
    const fields = completedWith(JSON.stringify("x".repeat(100)));
    const length = fields.join("").length;
    expect(decodeStreamEntry(fields, undefined, { maxEntryLength: length }).ok).toBe(true);
    const over = decodeStreamEntry(fields, undefined, { maxEntryLength: length - 1 });
    expect(!over.ok && over.error.message).toBe(
      `invalid stream entry: the entry has ${length} characters, more than the limit ${length - 1}`,
    );
  });
});

/** A client whose calls answer `answer(command)` (after a tick), recording each command. */
function scripted(answer: (command: string, index: number) => Promise<unknown>) {
  const calls: string[] = [];
  const client: RedisStreamClient = {
    call: (command) => {
      calls.push(command);
      return new Promise((resolve) => setTimeout(resolve, 1)).then(() =>
        answer(command, calls.length - 1),
      );
    },
    duplicate: () => client,
    quit: () => Promise.resolve("OK"),
    disconnect: () => undefined,
  };
  return { client, calls };
}

describe("toRedisStream publish", () => {
  it("never throws: an event it cannot encode is a rejected promise, and nothing is sent", async () => {
    const { client, calls } = scripted(() => Promise.resolve("1-0"));
    const publisher = toRedisStream(client, "s");
    const circular: Record<string, unknown> = { a: 1 };
    circular["self"] = circular;
    const deep = JSON.parse(nested(200_000)) as unknown;
    const tooDeep = JSON.parse(nested(MAX_EVENT_DEPTH)) as unknown;
    const events = [circular, { n: 1n }, deep, tooDeep].map(
      (result) => ({ type: "TASK_COMPLETED", orionId: "o", taskId: "a", result }) as OrionEvent,
    );
    for (const event of events) {
      let published: Promise<string> | undefined;
      expect(() => (published = publisher.publish(event))).not.toThrow();
      await expect(published).rejects.toThrow(/^toRedisStream: the event cannot be published/);
      await expect(published).rejects.toBeInstanceOf(UnpublishableEventError);
    }
    expect(calls).toEqual([]);
    // At the limit it is published.
    const atLimit = JSON.parse(nested(MAX_EVENT_DEPTH - 1)) as unknown;
    await publisher.publish({
      type: "TASK_COMPLETED",
      orionId: "o",
      taskId: "a",
      result: atLimit,
    } as OrionEvent);
    expect(calls).toEqual(["XADD"]);
  });
});

describe("fromRedisStream errors", () => {
  const reply = (taskId: string): unknown => [
    ["s", [["1-0", encodeOrionEvent({ type: "TASK_COMPLETED", orionId: "o", taskId })]]],
  ];

  it("retries a transient server error (max clients), ends at once on a refused command", async () => {
    const transient = scripted((_, i) =>
      i === 0
        ? Promise.reject(new Error("ERR max number of clients reached"))
        : Promise.resolve(reply("a")),
    );
    const errors: unknown[] = [];
    const event = await firstValueFrom(
      fromRedisStream(transient.client, {
        stream: "s",
        retryDelay: 1,
        onError: (e) => errors.push(e),
      }),
    );
    expect(event).toMatchObject({ taskId: "a" });
    expect(errors.map(String)).toEqual(["Error: ERR max number of clients reached"]);

    for (const message of [
      "ERR unknown command 'XREAD'",
      "WRONGTYPE Operation against a key holding the wrong kind of value",
    ]) {
      const fatal = scripted(() => Promise.reject(new Error(message)));
      const failure = await firstValueFrom(
        fromRedisStream(fatal.client, { stream: "s", retryDelay: 1 }),
      ).catch((e: unknown) => e);
      expect(String(failure)).toBe(`Error: ${message}`);
      expect(fatal.calls).toHaveLength(1);
    }
  });

  it("maxRetries: that many failures in a row are retried, the next one errors", async () => {
    for (const maxRetries of [0, 2]) {
      const failing = scripted(() => Promise.reject(new Error("LOADING Redis is loading")));
      const errors: unknown[] = [];
      const failure = await firstValueFrom(
        fromRedisStream(failing.client, {
          stream: "s",
          retryDelay: 1,
          maxRetries,
          onError: (e) => errors.push(e),
        }).pipe(toArray()),
      ).catch((e: unknown) => e);
      expect(String(failure)).toBe("Error: LOADING Redis is loading");
      expect(errors).toHaveLength(maxRetries);
      expect(failing.calls).toHaveLength(maxRetries + 1);
    }
  });

  it("rejects bad durations, retry counts and entry limits at call time", async () => {
    const { client } = scripted(() => Promise.resolve(null));
    const bad = [
      { readTimeout: -1 },
      { readTimeout: 1.5 },
      { retryDelay: -1 },
      { retryDelay: Number.NaN },
      { maxRetries: -1 },
      { maxRetries: 0.5 },
      { maxEntryLength: 0 },
      // Longer than a timer can wait: Node would fire it after 1 ms.
      { readTimeout: 2 ** 31 },
      { retryDelay: Number.MAX_SAFE_INTEGER },
      { blockMs: 2 ** 31 },
    ];
    for (const options of bad) {
      expect(
        () => fromRedisStream(client, { stream: "s", ...options }),
        JSON.stringify(options),
      ).toThrow(RangeError);
    }
    expect(() => fromRedisStream(client, { stream: "s", maxRetries: Infinity })).not.toThrow();
    for (const leaseMs of [0, -5, 1.5, Number.NaN, 2 ** 31]) {
      await expect(
        runOrionWorker(client, { orionId: "o", leaseMs, executeTask: () => null }),
      ).rejects.toThrow(RangeError);
    }
  });

  it("a worker whose synchronizer options are bad takes no lease", async () => {
    const { client, calls } = scripted(() => Promise.resolve("OK"));
    await expect(
      runOrionWorker(client, {
        orionId: "o",
        modificationTimeout: 2 ** 31,
        executeTask: () => null,
      }),
    ).rejects.toThrow(RangeError);
    expect(calls).toEqual([]);
  });
});
