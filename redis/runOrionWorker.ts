import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { asyncScheduler, Subscription, timer, type SchedulerLike } from "rxjs";
import type { OrionEvent } from "../src/events.js";
import { MAX_TIMEOUT } from "../src/internal/checkTimeout.js";
import { completeTask } from "../src/orion/completeTask.js";
import type { ReadyTaskOptions } from "../src/orion/getReadyTasks.js";
import type { TaskOrion } from "../src/orion/types.js";
import { orchestrateOrion } from "../src/orchestrator/orchestrateOrion.js";
import type {
  ExecuteTask,
  OrchestrationProgress,
  OrchestrationResult,
} from "../src/orchestrator/types.js";
import { OrionModificationSynchronizer, type SynchronizerLogger } from "../src/synchronizer.js";
import { fromRedisStream, type InvalidStreamEntry } from "./fromRedisStream.js";
import { orionLeaseKey, orionStreamKey } from "./orionStreamKey.js";
import type { RedisStreamClient } from "./RedisStreamClient.js";
import { replayOrion } from "./replayOrion.js";
import { decodeStreamEntry, entryTime, parseEntries } from "./streamEntry.js";
import { toRedisStream } from "./toRedisStream.js";

/** Options of {@link runOrionWorker}. */
export interface OrionWorkerOptions {
  /** The orion this worker runs. */
  readonly orionId: string;
  /** The orion to start if its stream has no `ORION_STARTED` yet (a fresh run). */
  readonly orion?: TaskOrion;
  /** Runs one task (see `orchestrateOrion`). */
  readonly executeTask: ExecuteTask;
  /** How many tasks may run at once. Default: no limit. */
  readonly maxConcurrency?: number;
  /** Predicates for `conditional` dependencies. */
  readonly readyOptions?: ReadyTaskOptions;
  /** The synchronizer's modification timeout, in ms. Default 600 000. */
  readonly modificationTimeout?: number;
  /** The stream. Default `orionStreamKey(orionId)`. */
  readonly stream?: string;
  /** This worker's name, written in its lease and in its entries' `origin`. Default: unique. */
  readonly workerId?: string;
  /**
   * How long the lease on the orion lasts without renewal, in ms (renewed every third of
   * it). A worker that dies holds the orion this long at most. Default 15 000.
   */
  readonly leaseMs?: number;
  /**
   * Stops this worker without ending the orion (a hand-over, e.g. on SIGTERM): running
   * tasks are aborted, nothing more is published, the lease is released, and the promise
   * resolves with `outcome: "stopped"`. The next worker fails the aborted tasks.
   */
  readonly signal?: AbortSignal;
  /** Where the synchronizer logs. Silent by default. */
  readonly logger?: SynchronizerLogger;
  /** Timers (lease, waits, modification timeouts). Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  /** Called once the stream is replayed, before anything starts. */
  readonly onRecovered?: (recovery: OrionRecovery) => void;
  /** Called with each progress of the orchestration (events published, then the result). */
  readonly onProgress?: (progress: OrchestrationProgress) => void;
  /** Called for each stream entry that is not a valid orion event (it is skipped). */
  readonly onInvalid?: (entry: InvalidStreamEntry) => void;
}

/** What a worker found in the stream when it took the orion over. */
export interface OrionRecovery {
  /** Entries replayed (valid events of any orion on the stream). */
  readonly events: number;
  /** Whether the stream had an `ORION_STARTED` for the orion (otherwise this is a fresh run). */
  readonly resumed: boolean;
  /** Tasks whose modification the agent still owes, as the synchronizer rebuilt them. */
  readonly pending: readonly string[];
  /** Tasks that were running when the previous worker stopped: this worker fails them. */
  readonly interrupted: readonly string[];
  /** The last entry id replayed (`"0-0"` for an empty stream): a checkpoint. */
  readonly lastId: string;
}

/** How {@link runOrionWorker} ended. */
export interface OrionWorkerResult {
  /** `completed` / `failed`: the orion ended (now, or before this worker came); `stopped`: `signal`. */
  readonly outcome: "completed" | "failed" | "stopped";
  /** What the replay found. */
  readonly recovery: OrionRecovery;
  /** The orchestration's result, if this worker ran it to the end. */
  readonly result: OrchestrationResult | undefined;
}

/** The worker's lease on the orion expired or was taken: it stopped without ending the orion. */
export class LeaseLostError extends Error {
  /** Always `"LeaseLostError"`. */
  override readonly name = "LeaseLostError";
  /**
   * Made by the worker; exported so callers can test `instanceof`.
   * @param orionId - the orion whose lease was lost
   */
  constructor(readonly orionId: string) {
    super(`orion-sync: the lease on orion '${orionId}' was lost; this worker stopped`);
  }
}

const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * Runs orion `orionId` in this process until it ends, with its events on a Redis stream:
 * one synchronizer per orion, in whichever worker process holds the orion's lease.
 *
 * 1. Waits for the orion's lease (`SET orion:{id}:owner <workerId> NX PX leaseMs`), and
 *    renews it from then on (during the replay too), so one worker at a time runs the
 *    orion; before publishing anything it checks that the lease is still its own.
 * 2. Replays the stream from its first entry into a fresh synchronizer (registrations are
 *    measured from each entry's broker time, so timeouts run from the original
 *    completion) and into {@link replayOrion}: the pending set and the orion's execution
 *    state are those the previous worker had.
 * 3. Fails the tasks that were running when the previous worker stopped (`TASK_FAILED`
 *    with `{ name: "WorkerInterrupted" }`): a task whose `TASK_STARTED` reached the broker
 *    is not run again. (A task is started as its `TASK_STARTED` is sent: a worker that
 *    dies before the broker has that entry can leave the task to run again.)
 * 4. Runs the reference orchestrator on the recovered orion, merged with the agent's
 *    latest: it publishes `ORION_STARTED` again, then starts ready tasks only through the
 *    synchronizer's gate. Its own events are applied to the synchronizer at once and
 *    appended to the stream; the agent's arrive through `fromRedisStream`.
 *
 * Resolves when the orion ends (or at once if the stream says it ended); rejects with
 * {@link LeaseLostError} if another worker took the orion, or with the error of a failed
 * publish (the orion is then left to the next worker). `client` is not closed.
 */
export async function runOrionWorker(
  client: RedisStreamClient,
  options: OrionWorkerOptions,
): Promise<OrionWorkerResult> {
  const { orionId, signal } = options;
  const stream = options.stream ?? orionStreamKey(orionId);
  const workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomUUID()}`;
  const leaseMs = options.leaseMs ?? 15_000;
  if (!Number.isSafeInteger(leaseMs) || leaseMs < 3 || leaseMs > MAX_TIMEOUT) {
    throw new RangeError(
      `runOrionWorker: leaseMs must be an integer from 3 to ${MAX_TIMEOUT}, got ${leaseMs}`,
    );
  }
  const scheduler = options.scheduler ?? asyncScheduler;
  const leaseKey = orionLeaseKey(orionId);
  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const subscription = timer(ms, scheduler).subscribe(() => {
        signal?.removeEventListener("abort", wake);
        resolve();
      });
      const wake = (): void => {
        subscription.unsubscribe();
        resolve();
      };
      signal?.addEventListener("abort", wake, { once: true });
    });

  const stoppedEarly = (recovery: OrionRecovery): OrionWorkerResult => ({
    outcome: "stopped",
    recovery,
    result: undefined,
  });
  const none: OrionRecovery = {
    events: 0,
    resumed: false,
    pending: [],
    interrupted: [],
    lastId: "0-0",
  };

  // Built (and its options checked) before the lease: a bad option must not leave the
  // orion leased, and renewed, by a worker that never ran.
  const sync = new OrionModificationSynchronizer({
    ...(options.modificationTimeout === undefined
      ? {}
      : { modificationTimeout: options.modificationTimeout }),
    ...(options.logger ? { logger: options.logger } : {}),
    scheduler,
    registeredAt: (event) => event.timestamp,
  });

  // 1. The lease.
  while ((await client.call("SET", leaseKey, workerId, "NX", "PX", leaseMs)) !== "OK") {
    if (signal?.aborted) return stoppedEarly(none);
    await sleep(Math.max(10, Math.floor(leaseMs / 5)));
  }
  const release = (): Promise<unknown> =>
    client.call("EVAL", RELEASE, 1, leaseKey, workerId).catch(() => undefined);
  // Renewed from now on: a replay longer than the lease must not hand the orion to another.
  let lost = false;
  let stop: ((reason: unknown) => void) | undefined;
  const renew = (): Promise<boolean> =>
    client.call("EVAL", RENEW, 1, leaseKey, workerId, leaseMs).then((renewed) => {
      if (Number(renewed) !== 1) lost = true;
      return !lost;
    });
  const renewal = timer(leaseMs / 3, leaseMs / 3, scheduler).subscribe(() => {
    renew().then(
      (held) => {
        if (!held) stop?.(new LeaseLostError(orionId));
      },
      (error: unknown) => options.logger?.warn("orion-sync: renewing the lease failed", error),
    );
  });

  try {
    // 2. The replay, fed to the synchronizer in one synchronous pass.
    const history: OrionEvent[] = [];
    let lastId = "0-0";
    for (;;) {
      const page = parseEntries(
        await client.call(
          "XRANGE",
          stream,
          lastId === "0-0" ? "-" : `(${lastId}`,
          "+",
          "COUNT",
          1000,
        ),
      );
      for (const { id, fields } of page) {
        const decoded = decodeStreamEntry(fields, entryTime(id));
        if (decoded.ok) history.push(decoded.event);
        else options.onInvalid?.({ stream, id, fields, error: decoded.error });
        lastId = id;
      }
      if (page.length < 1000) break;
    }
    for (const event of history) sync.onEvent(event);
    const replayed = replayOrion(history, orionId, {
      ...(options.readyOptions ? { readyOptions: options.readyOptions } : {}),
    });
    const recovery: OrionRecovery = {
      events: history.length,
      resumed: replayed.orion !== undefined,
      pending: sync.getPendingTaskIds(),
      interrupted: replayed.interrupted,
      lastId,
    };
    options.onRecovered?.(recovery);
    if (replayed.ended !== undefined) {
      return {
        outcome: replayed.ended === "ORION_COMPLETED" ? "completed" : "failed",
        recovery,
        result: undefined,
      };
    }
    if (signal?.aborted) return stoppedEarly(recovery);
    // Before the first publication: the lease must still be ours (the replay may be long).
    if (lost || !(await renew())) throw new LeaseLostError(orionId);
    if (signal?.aborted) return stoppedEarly(recovery);

    // 3. From here on, this worker publishes: its events reach its synchronizer first.
    const publisher = toRedisStream(client, stream, { origin: workerId });
    let inFlight = 0;
    let drained: (() => void) | undefined;
    let failure: unknown;
    const bus = {
      publish(event: OrionEvent): void {
        sync.onEvent(event);
        inFlight++;
        publisher
          .publish(event)
          .catch((error: unknown) => {
            failure ??= error;
            stop?.(error);
          })
          .finally(() => {
            if (--inFlight === 0) drained?.();
          });
      },
    };
    let orion = replayed.orion ?? options.orion;
    if (orion === undefined) {
      throw new Error(
        `orion-sync: the stream ${stream} has no ORION_STARTED for '${orionId}' and no orion was given`,
      );
    }
    for (const taskId of replayed.interrupted) {
      const transition = completeTask(
        orion,
        taskId,
        { success: false, error: { name: "WorkerInterrupted", message: "its worker stopped" } },
        scheduler.now(),
        options.readyOptions,
      );
      orion = transition.orion;
      bus.publish({
        type: "TASK_FAILED",
        orionId,
        taskId,
        timestamp: scheduler.now(),
        error: { name: "WorkerInterrupted", message: "its worker stopped" },
        newlyReadyTaskIds: transition.newlyReady.map((t) => t.id),
      });
    }
    if (replayed.orion !== undefined) orion = sync.mergeAndSyncOrionStates(orion);

    // 4. Live: the agent's events from the stream, the orchestrator through the gate.
    const reader = sync.connect(
      fromRedisStream(client, {
        stream,
        from: lastId,
        ignoreOrigin: workerId,
        scheduler,
        ...(options.onInvalid ? { onInvalid: options.onInvalid } : {}),
      }),
    );
    const start = orion;
    const outcome = await new Promise<OrionWorkerResult>((resolve, reject) => {
      const orchestration = new Subscription();
      const onAbort = (): void => finish(() => resolve(stoppedEarly(recovery)));
      const finish = (settle: () => void): void => {
        orchestration.unsubscribe();
        renewal.unsubscribe();
        signal?.removeEventListener("abort", onAbort);
        stop = undefined;
        settle();
      };
      stop = (error) => finish(() => reject(error));
      if (lost) {
        stop(new LeaseLostError(orionId));
        return;
      }
      signal?.addEventListener("abort", onAbort, { once: true });
      const run = orchestrateOrion(start, {
        bus,
        synchronizer: sync,
        executeTask: options.executeTask,
        scheduler,
        ...(options.maxConcurrency === undefined ? {} : { maxConcurrency: options.maxConcurrency }),
        ...(options.readyOptions ? { readyOptions: options.readyOptions } : {}),
      }).subscribe({
        next: (progress) => {
          options.onProgress?.(progress);
          if (progress.kind === "finished") {
            const result = progress.result;
            finish(() =>
              resolve({
                outcome: result.outcome === "completed" ? "completed" : "failed",
                recovery,
                result,
              }),
            );
          }
        },
        error: (error: unknown) => stop?.(error),
      });
      orchestration.add(run);
      if (signal?.aborted) onAbort();
    });
    if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
    reader.unsubscribe();
    if (failure !== undefined) throw failure;
    return outcome;
  } finally {
    renewal.unsubscribe();
    sync.dispose();
    await release();
  }
}
