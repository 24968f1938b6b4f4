/**
 * snapshotPendingState / restorePendingState: random inputs through reducePending, a
 * snapshot (through JSON) at a random point, and the restored state must hold the same
 * pending set, stats, byOrion and records, and answer every later input as the original.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TestScheduler } from "rxjs/testing";
import { map, Subject } from "rxjs";
import type { OrionEvent } from "../../src/events.js";
import { orion } from "../../src/orion/orion.js";
import { pendingKey, type PendingState } from "../../src/pending/PendingState.js";
import {
  initialPendingState,
  reducePending,
  type ExpiryCandidate,
  type PendingInput,
} from "../../src/pending/reducePending.js";
import {
  InvalidPendingSnapshotError,
  restorePendingState,
  snapshotPendingState,
  type PendingSnapshot,
} from "../../src/pending/snapshot.js";
import { pendingModifications } from "../../operators/pendingModifications.js";
import { OrionModificationSynchronizer } from "../../src/synchronizer.js";
import { runs } from "../properties/runs.js";

type Step =
  | {
      t: "task";
      type: "TASK_COMPLETED" | "TASK_FAILED" | "TASK_STARTED";
      o: number;
      task: number;
      id: number;
      past: number;
    }
  | { t: "modified"; o: number; tasks: number[]; byEvent: boolean; id: number; newOrion: boolean }
  | { t: "orion"; type: "ORION_STARTED" | "ORION_COMPLETED"; o: number; id: number }
  | { t: "invalid" }
  | { t: "expire" }
  | { t: "clear"; before: number; o: number }
  | { t: "timeout"; ms: number }
  | { t: "advance"; ms: number };

// `id`: 0 none, 1..3 a fresh id, 4 a redelivery of an earlier id.
const idChoice = fc.nat(4);
const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      t: fc.constant("task" as const),
      type: fc.constantFrom(
        "TASK_COMPLETED" as const,
        "TASK_FAILED" as const,
        "TASK_STARTED" as const,
      ),
      o: fc.nat(1),
      task: fc.nat(3),
      id: idChoice,
      past: fc.nat(80),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constant("modified" as const),
      o: fc.nat(1),
      tasks: fc.array(fc.nat(3), { minLength: 1, maxLength: 3 }),
      byEvent: fc.boolean(),
      id: idChoice,
      newOrion: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant("orion" as const),
      type: fc.constantFrom("ORION_STARTED" as const, "ORION_COMPLETED" as const),
      o: fc.nat(1),
      id: idChoice,
    }),
  },
  { weight: 1, arbitrary: fc.constant({ t: "invalid" as const }) },
  { weight: 2, arbitrary: fc.constant({ t: "expire" as const }) },
  {
    weight: 1,
    arbitrary: fc.record({ t: fc.constant("clear" as const), before: fc.nat(30), o: fc.nat(2) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant("timeout" as const),
      ms: fc.integer({ min: 20, max: 200 }),
    }),
  },
  { weight: 3, arbitrary: fc.record({ t: fc.constant("advance" as const), ms: fc.nat(120) }) },
);

const orionOf = (o: number, version: number) =>
  orion(`o${o}`).task("t0").task("t1", { after: "t0" }).task(`v${version}`).build();

/** Turns steps into reducer inputs; ids and due deadlines depend on the state so far. */
class Driver {
  now = 1_000;
  private fresh = 0;
  readonly ids: string[] = [];
  private pick(choice: number): string | undefined {
    if (choice === 0) return undefined;
    if (choice === 4 && this.ids.length > 0) return this.ids[this.fresh % this.ids.length];
    const id = `e${++this.fresh}`;
    this.ids.push(id);
    return id;
  }
  input(s: Step, state: PendingState): PendingInput | undefined {
    switch (s.t) {
      case "task": {
        const eventId = this.pick(s.id);
        const event: OrionEvent = {
          type: s.type,
          orionId: `o${s.o}`,
          taskId: `t${s.task}`,
          timestamp: this.now,
          ...(eventId === undefined ? {} : { eventId }),
        };
        return { kind: "event", event, ...(s.past > 40 ? { at: this.now - s.past } : {}) };
      }
      case "modified": {
        const eventId = this.pick(s.id);
        const named = s.byEvent
          ? {
              onTaskIds: s.tasks.map((n) => `t${n}`),
              onEventIds: s.tasks.map((n) => this.ids[n] ?? `unseen${n}`),
            }
          : { onTaskIds: s.tasks.map((n) => `t${n}`) };
        const event: OrionEvent = {
          type: "ORION_MODIFIED",
          orionId: `o${s.o}`,
          ...named,
          ...(s.newOrion ? { newOrion: orionOf(s.o, this.fresh) } : {}),
          ...(eventId === undefined ? {} : { eventId }),
        };
        return { kind: "event", event };
      }
      case "orion": {
        const eventId = this.pick(s.id);
        const base = { orionId: `o${s.o}`, timestamp: this.now, ...(eventId ? { eventId } : {}) };
        const event: OrionEvent =
          s.type === "ORION_STARTED"
            ? { ...base, type: s.type, orion: orionOf(s.o, 0) }
            : { ...base, type: s.type };
        return { kind: "event", event };
      }
      case "invalid":
        return { kind: "event", event: { type: "NOPE" } };
      case "expire": {
        // What the operator's timer sends: every live record whose deadline passed.
        const due: ExpiryCandidate[] = [];
        for (const record of state.records.values()) {
          if (record.phase === "pending" || record.phase === "anticipated") {
            const deadlines =
              record.phase === "pending"
                ? [record.deadline, ...record.later.map((e) => e.deadline)]
                : [record.deadline];
            if (deadlines.some((d) => d <= this.now)) {
              due.push({ kind: record.phase, orionId: record.orionId, taskId: record.taskId });
            }
          }
        }
        return { kind: "expire", due };
      }
      case "clear":
        return {
          kind: "clear",
          registeredBefore: s.before,
          ...(s.o < 2 ? { orionId: `o${s.o}` } : {}),
        };
      case "timeout":
        return { kind: "set-timeout", modificationTimeout: s.ms };
      case "advance":
        this.now += s.ms;
        return undefined;
    }
  }
}

/** What two states must agree on (everything but object identity and `last.at`). */
function observable(state: PendingState): unknown {
  return {
    version: state.version,
    pending: Array.from(state.pending.entries()),
    records: Array.from(state.records.entries()),
    owedCount: state.owedCount,
    lastChange: state.lastChange,
    byOrion: Array.from(state.byOrion.entries()),
    events: Array.from(state.events.entries()).map(([k, r]) => [k, r.phase, r.taskId, r.forgetAt]),
    orions: JSON.stringify(Array.from(state.orions.entries())),
    currentOrion: JSON.stringify(state.currentOrion ?? null),
    modificationTimeout: state.modificationTimeout,
    anticipatedCount: state.anticipatedCount,
    stats: state.stats,
  };
}

function lastOf(state: PendingState): string {
  return JSON.stringify(state.last);
}

describe("snapshotPendingState / restorePendingState", () => {
  it("round-trips through JSON: same state, same answers to every later input", () => {
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 1, maxLength: 80 }),
        fc.array(step, { minLength: 1, maxLength: 80 }),
        (before, after) => {
          const driver = new Driver();
          let state = initialPendingState(100, driver.now);
          for (const s of before) {
            const input = driver.input(s, state);
            if (input !== undefined) state = reducePending(state, input, driver.now);
          }
          const snapshot = JSON.parse(
            JSON.stringify(snapshotPendingState(state)),
          ) as PendingSnapshot;
          let restored = restorePendingState(snapshot, driver.now);
          expect(observable(restored)).toEqual(observable(state));
          expect(restored.last).toEqual({ kind: "initial", at: driver.now });
          // A snapshot of the restored state is the same snapshot.
          expect(JSON.parse(JSON.stringify(snapshotPendingState(restored)))).toEqual(snapshot);
          for (const s of after) {
            const input = driver.input(s, state);
            if (input === undefined) continue;
            const next = reducePending(state, input, driver.now);
            const nextRestored = reducePending(restored, input, driver.now);
            // The same transition (or none): identity may differ by housekeeping only.
            expect(nextRestored.last !== restored.last).toBe(next.last !== state.last);
            expect(observable(nextRestored)).toEqual(observable(next));
            if (next.last !== state.last) expect(lastOf(nextRestored)).toBe(lastOf(next));
            state = next;
            restored = nextRestored;
          }
        },
      ),
      { numRuns: runs(300, 5_000) },
    );
  });

  it("keeps the forget queues: answered records beyond the limit are dropped in the same order", () => {
    let state = initialPendingState(1e9, 0);
    let now = 0;
    for (let i = 0; i < 1_100; i++) {
      const event: OrionEvent = {
        type: "TASK_COMPLETED",
        orionId: "o",
        taskId: `t${i}`,
        timestamp: now,
        eventId: `c${i}`,
      };
      state = reducePending(state, { kind: "event", event }, ++now);
      const answer: OrionEvent = {
        type: "ORION_MODIFIED",
        orionId: "o",
        onTaskIds: [`t${i}`],
        eventId: `m${i}`,
      };
      state = reducePending(state, { kind: "event", event: answer }, ++now);
    }
    let restored = restorePendingState(snapshotPendingState(state), now);
    const later: OrionEvent = { type: "TASK_COMPLETED", orionId: "o", taskId: "x", timestamp: now };
    state = reducePending(state, { kind: "event", event: later }, ++now);
    restored = reducePending(restored, { kind: "event", event: later }, now);
    expect(observable(restored)).toEqual(observable(state));
  });

  it("maxEventIds keeps the newest ids (and those of owed modifications), as the fold's own limit would", () => {
    let state = initialPendingState(1e9, 0);
    let now = 0;
    for (let i = 0; i < 300; i++) {
      const event: OrionEvent = {
        type: "TASK_COMPLETED",
        orionId: "o",
        taskId: `t${i}`,
        timestamp: now,
        eventId: `c${i}`,
      };
      state = reducePending(state, { kind: "event", event }, ++now);
      if (i % 10 !== 0) {
        const answer: OrionEvent = {
          type: "ORION_MODIFIED",
          orionId: "o",
          onTaskIds: [`t${i}`],
          onEventIds: [`c${i}`],
          eventId: `m${i}`,
        };
        state = reducePending(state, { kind: "event", event: answer }, ++now);
      }
    }
    const bounded = snapshotPendingState(state, { maxEventIds: 50 });
    expect(bounded.eventForget).toHaveLength(50);
    const restored = restorePendingState(
      JSON.parse(JSON.stringify(bounded)) as PendingSnapshot,
      now,
    );
    expect(Array.from(restored.pending.keys())).toEqual(Array.from(state.pending.keys()));
    expect(restored.stats).toEqual(state.stats);
    // The owed modifications' ids are kept, so answers by id still complete them.
    for (const entry of state.pending.values()) {
      const answer: OrionEvent = {
        type: "ORION_MODIFIED",
        orionId: "o",
        onTaskIds: [entry.taskId],
        onEventIds: [entry.eventId as string],
      };
      const next = reducePending(restored, { kind: "event", event: answer }, now + 1);
      expect(next.pending.has(pendingKey("o", entry.taskId))).toBe(false);
    }
    // The newest ids are still recognised: a redelivered answer is a duplicate.
    const redelivered: OrionEvent = {
      type: "ORION_MODIFIED",
      orionId: "o",
      onTaskIds: ["t299"],
      onEventIds: ["c299"],
      eventId: "m299",
    };
    const again = reducePending(restored, { kind: "event", event: redelivered }, now + 1);
    expect(again.last).toMatchObject({ kind: "ignored", reason: "duplicate" });
    // Without a bound, the snapshot is the exact one.
    expect(snapshotPendingState(state, { maxEventIds: 1e9 })).toEqual(snapshotPendingState(state));
  });

  it("rejects what is not a snapshot, with a typed error", () => {
    const good = snapshotPendingState(initialPendingState(100, 0));
    const bad: unknown[] = [
      null,
      {},
      { ...good, format: "other" },
      { ...good, stats: { ...good.stats, totalModifications: "1" } },
      { ...good, records: [{ phase: "pending", orionId: "o", taskId: "t" }] },
      { ...good, byOrion: [["o", { pending: 1, lastChange: 0 }]] },
      { ...good, currentOrion: { id: "missing" } },
      { ...good, forget: [["nope"]] },
      { ...good, orions: [{ id: "o", tasks: 5 }] },
    ];
    for (const value of bad) {
      expect(() => restorePendingState(value as PendingSnapshot, 0)).toThrow(
        InvalidPendingSnapshotError,
      );
    }
  });
});

describe("initialState", () => {
  const completed = (taskId: string, at: number): OrionEvent => ({
    type: "TASK_COMPLETED",
    orionId: "o",
    taskId,
    timestamp: at,
    eventId: `c-${taskId}`,
  });

  it("pendingModifications starts from it and times out its pending deadlines", () => {
    let state = initialPendingState(100, 0);
    state = reducePending(state, { kind: "event", event: completed("a", 0) }, 0);
    state = reducePending(state, { kind: "event", event: completed("b", 50) }, 50);
    const restored = restorePendingState(snapshotPendingState(state), 0);
    new TestScheduler((a, b) => expect(a).toEqual(b)).run(({ cold, expectObservable }) => {
      // The virtual clock starts at 0: a is due at 100, b at 150.
      const events = cold<OrionEvent>(" -");
      const expected = "                x 99ms y 49ms z";
      const out = events.pipe(
        pendingModifications({ modificationTimeout: 100, initialState: restored }),
        map((s) => Array.from(s.pending.values(), (e) => e.taskId).join("") || "-"),
      );
      expectObservable(out).toBe(expected, { x: "ab", y: "b", z: "-" });
    });
  });

  it("the facade starts from it: its pending set, stats and timers", () => {
    let state = initialPendingState(100, 0);
    state = reducePending(state, { kind: "event", event: completed("a", 0) }, 0);
    const restored = restorePendingState(snapshotPendingState(state), 0);
    const events = new Subject<OrionEvent>();
    const sync = new OrionModificationSynchronizer({
      modificationTimeout: 100,
      initialState: restored,
    });
    sync.connect(events);
    expect(sync.getPendingTaskIds()).toEqual(["a"]);
    expect(sync.getStatistics().totalModifications).toBe(1);
    events.next({
      type: "ORION_MODIFIED",
      orionId: "o",
      onTaskIds: ["a"],
      onEventIds: ["c-a"],
    });
    expect(sync.getPendingTaskIds()).toEqual([]);
    expect(sync.getStatistics().completedModifications).toBe(1);
    sync.dispose();
  });
});
