/**
 * Harnesses for the bad-input matrix (docs/bad-input.md): each registers an unrelated pending
 * modification for task `x` of orion `o1` first, so that a test can feed its bad input and then
 * check that nothing else was lost (`x` still pending, the stream still alive: answering `x`
 * completes it).
 */
import { Subject, type OperatorFunction } from "rxjs";
import { expect } from "vitest";
import { pendingModifications } from "../../operators/pendingModifications.js";
import { createEventBus, type EventBus } from "../../src/bus.js";
import { InvalidEventError, type InvalidEventReason } from "../../src/events.js";
import { pendingKey, type PendingState } from "../../src/pending/PendingState.js";
import type { PendingCommand } from "../../src/pending/reducePending.js";
import { OrionModificationSynchronizer, type SynchronizerLogger } from "../../src/synchronizer.js";
import {
  orionModified,
  taskCompleted,
  virtualTime,
  type VirtualTime,
} from "../../testing/index.js";

/** The modification timeout of every harness, in virtual ms. */
export const TIMEOUT = 1000;

/** A `pendingModifications` fold over a Subject of anything, with `x` pending. */
export interface FoldHarness {
  readonly time: VirtualTime;
  readonly states: PendingState[];
  readonly commands: Subject<PendingCommand>;
  feed(value: unknown): void;
  last(): PendingState;
  error(): unknown;
}

export function foldHarness(): FoldHarness {
  const time = virtualTime();
  const events = new Subject<unknown>();
  const commands = new Subject<PendingCommand>();
  const states: PendingState[] = [];
  let error: unknown;
  // The fold's input type is OrionEvent; untrusted values reach it as `unknown` on purpose.
  const fold = pendingModifications({
    scheduler: time.scheduler,
    modificationTimeout: TIMEOUT,
    commands,
  }) as unknown as OperatorFunction<unknown, PendingState>;
  events.pipe(fold).subscribe({
    next: (s) => states.push(s),
    error: (e: unknown) => (error = e),
  });
  events.next(taskCompleted("x"));
  return {
    time,
    states,
    commands,
    feed: (value) => events.next(value),
    last: () => states[states.length - 1] as PendingState,
    error: () => error,
  };
}

/** Asserts the last state ignored an invalid value, with this reason, path and message part. */
export function expectIgnoredInvalid(
  h: FoldHarness,
  reason: InvalidEventReason,
  path: string,
  message: string,
): InvalidEventError {
  const last = h.last().last;
  expect(h.error()).toBeUndefined();
  expect(last.kind).toBe("ignored");
  if (last.kind !== "ignored") throw new Error("unreachable");
  expect(last.reason).toBe("invalid");
  expect(last.error).toBeInstanceOf(InvalidEventError);
  const error = last.error as InvalidEventError;
  expect(error.reason).toBe(reason);
  expect(error.path).toBe(path);
  expect(error.message).toContain(message);
  expect(h.last().stats.invalidEvents).toBe(1);
  return error;
}

/**
 * Asserts `x` is still the only pending modification (plus `extra` others), then answers it
 * and asserts the fold completed it: the stream is alive and lost nothing.
 */
export function expectFoldIntact(h: FoldHarness, extra = 0): void {
  expect(h.error()).toBeUndefined();
  const before = h.last();
  expect(before.pending.size).toBe(1 + extra);
  expect(before.pending.get(pendingKey("o1", "x"))?.taskId).toBe("x");
  h.feed(orionModified(["x"]));
  const after = h.last();
  expect(after.last.kind).toBe("completed");
  if (after.last.kind === "completed")
    expect(after.last.entries.map((e) => e.taskId)).toEqual(["x"]);
  expect(after.pending.size).toBe(extra);
  expect(after.stats.completedModifications).toBe(before.stats.completedModifications + 1);
}

/** What a recording logger saw, by level. */
export type LogLines = { [L in keyof SynchronizerLogger]: string[] };

/** A synchronizer on a bus, in virtual time, with a recording logger, and `x` pending. */
export interface FacadeHarness {
  readonly time: VirtualTime;
  readonly bus: EventBus;
  readonly sync: OrionModificationSynchronizer;
  readonly logs: LogLines;
  /** Errors a bus subscriber threw, as the bus reported them. */
  readonly subscriberErrors: unknown[];
  /** Errors of `sync.state$`. */
  readonly stateErrors: unknown[];
}

export function facadeHarness(logger?: SynchronizerLogger): FacadeHarness {
  const time = virtualTime();
  const subscriberErrors: unknown[] = [];
  const bus = createEventBus({ onSubscriberError: (e) => subscriberErrors.push(e) });
  const logs: LogLines = { debug: [], info: [], warn: [], error: [] };
  const sync = new OrionModificationSynchronizer({
    scheduler: time.scheduler,
    modificationTimeout: TIMEOUT,
    logger: logger ?? {
      debug: (m) => void logs.debug.push(m),
      info: (m) => void logs.info.push(m),
      warn: (m) => void logs.warn.push(m),
      error: (m) => void logs.error.push(m),
    },
  });
  const stateErrors: unknown[] = [];
  sync.state$.subscribe({ error: (e: unknown) => void stateErrors.push(e) });
  bus.subscribe(sync);
  bus.publish(taskCompleted("x"));
  return { time, bus, sync, logs, subscriberErrors, stateErrors };
}

/** Asserts `x` is still pending in the synchronizer, then answers it: it completes. */
export function expectFacadeIntact(h: FacadeHarness, extra: readonly string[] = []): void {
  expect(h.stateErrors).toEqual([]);
  expect(h.sync.getPendingTaskIds().sort()).toEqual(["x", ...extra].sort());
  const completed = h.sync.getStatistics().completedModifications;
  h.bus.publish(orionModified(["x"]));
  expect(h.sync.getPendingTaskIds().sort()).toEqual([...extra].sort());
  expect(h.sync.getStatistics().completedModifications).toBe(completed + 1);
}
