/**
 * Issue 13's model-based test: an orchestrator and an agent share a bus with the
 * synchronizer; the orchestrator publishes each completion and emits the ready value it
 * made into the gate with `after: <completion id>`, and starts a task (publishes
 * `TASK_STARTED`) when the gate releases it. The event sequences include retries, answers
 * by task id and by event id, answers before completions, redelivered events (same id),
 * several orions, and both subscription orders of the fold and the orchestrator, over the
 * bare operators and over the facade.
 *
 * Invariant, checked at every start: no modification of the task's orion is owed (by an
 * independent ledger of what was published), and the synchronizer's orion is the agent's
 * latest. After every step the fold's owed counts match the ledger, and at the end, once the
 * agent has answered everything, every ready value has been released, with no error.
 */
import fc from "fast-check";
import {
  filter,
  merge,
  shareReplay,
  Subject,
  type MonoTypeOperatorFunction,
  type Observable,
} from "rxjs";
import { describe, expect, it } from "vitest";
import { gateReadyTasks } from "../../operators/gateReadyTasks.js";
import { pendingModifications } from "../../operators/pendingModifications.js";
import type { OrionEvent } from "../../src/events.js";
import type { TaskOrion } from "../../src/orion/types.js";
import { pendingKey, type PendingState } from "../../src/pending/PendingState.js";
import { OrionModificationSynchronizer } from "../../src/synchronizer.js";
import { emptyOrion, virtualTime } from "../../testing/index.js";
import { runs } from "../properties/runs.js";
import { idOf, type Ready } from "./support.js";

type Command =
  | {
      readonly kind: "end";
      readonly orion: number;
      readonly pick: number;
      readonly failed: boolean;
    }
  | {
      readonly kind: "answerTask" | "answerEvent";
      readonly orion: number;
      readonly pick: number;
      readonly edit: boolean;
    }
  | { readonly kind: "redeliver"; readonly pick: number }
  /** The executor retries a failed task at once, without the gate (its own retry policy). */
  | { readonly kind: "retryNow"; readonly orion: number; readonly pick: number };

interface Scenario {
  readonly orions: number;
  readonly foldFirst: boolean;
  readonly facade: boolean;
  /** Over the facade: one `gate({ orionId: "<id>" })` per orion (routed), not one keyed gate. */
  readonly perOrionGates: boolean;
  readonly commands: readonly Command[];
}

const NEVER_TIMES_OUT = 1e9;

/** Which adversarial situations the runs reached: the generator must reach them all. */
const coverage = new Set<string>();

/**
 * What is owed, from the published events alone, by the rules of the issue: per task,
 * owed completion ids oldest first; answers by task id take the oldest, by event id that
 * one; an answer naming nothing known is remembered and answers the next end (a task id's
 * until the task starts again); an event id seen before makes the event a duplicate.
 */
class Ledger {
  private readonly seen = new Set<string>();
  private readonly owed = new Map<string, string[]>();
  private readonly phase = new Map<string, "anticipated" | "answered">();
  private readonly anticipatedEvents = new Set<string>();
  /** Completion id → its task key, while owed. */
  private readonly owner = new Map<string, string>();
  readonly latest = new Map<string, TaskOrion>();

  apply(e: OrionEvent): void {
    const o = e.orionId;
    const id = idOf(e) as string;
    if (this.seen.has(`${o}/${id}`)) return;
    this.seen.add(`${o}/${id}`);
    if (e.type === "TASK_STARTED") {
      const k = `${o}/${e.taskId}`;
      if (!this.owed.has(k)) this.phase.delete(k);
    } else if (e.type === "TASK_COMPLETED" || e.type === "TASK_FAILED") {
      const k = `${o}/${e.taskId}`;
      const early =
        this.anticipatedEvents.delete(`${o}/${id}`) || this.phase.get(k) === "anticipated";
      if (early) {
        if (!this.owed.has(k)) this.phase.set(k, "answered");
        return;
      }
      this.owed.set(k, [...(this.owed.get(k) ?? []), id]);
      this.owner.set(`${o}/${id}`, k);
      this.phase.delete(k);
    } else if (e.type === "ORION_MODIFIED") {
      if (e.newOrion !== undefined) this.latest.set(o, e.newOrion);
      if (e.onEventIds !== undefined) {
        for (const c of new Set(e.onEventIds)) {
          const k = this.owner.get(`${o}/${c}`);
          if (k !== undefined) this.done(k, c);
          else if (!this.seen.has(`${o}/${c}`)) this.anticipatedEvents.add(`${o}/${c}`);
        }
      } else {
        for (const t of new Set(e.onTaskIds)) {
          const k = `${o}/${t}`;
          const owed = this.owed.get(k);
          if (owed !== undefined) this.done(k, owed[0] as string);
          else if (!this.phase.has(k)) this.phase.set(k, "anticipated");
        }
      }
    }
  }

  private done(k: string, id: string): void {
    const rest = (this.owed.get(k) ?? []).filter((c) => c !== id);
    this.owner.delete(`${k.slice(0, k.indexOf("/"))}/${id}`);
    if (rest.length > 0) this.owed.set(k, rest);
    else {
      this.owed.delete(k);
      this.phase.set(k, "answered");
    }
  }

  /** Owed completion ids of orion `o` (all of them with `o` undefined). */
  owedIds(o?: string): { task: string; id: string }[] {
    const out: { task: string; id: string }[] = [];
    for (const [k, ids] of this.owed) {
      const slash = k.indexOf("/");
      if (o !== undefined && k.slice(0, slash) !== o) continue;
      for (const id of ids) out.push({ task: k.slice(slash + 1), id });
    }
    return out;
  }

  /** Tasks of `o` with something owed: what `pendingIn` counts. */
  pendingTasks(o: string): number {
    let n = 0;
    for (const k of this.owed.keys()) if (k.startsWith(`${o}/`)) n++;
    return n;
  }
}

function run(scenario: Scenario): void {
  const { scheduler } = virtualTime();
  const orionIds = Array.from({ length: scenario.orions }, (_, i) => `o${i}`);
  const bus = new Subject<OrionEvent>();
  const ready = new Subject<Ready>();
  const ledger = new Ledger();
  const published: OrionEvent[] = [];
  const counters = new Map<string, number>();
  const next = (o: string, prefix: string): string => {
    const n = (counters.get(`${o}/${prefix}`) ?? 0) + 1;
    counters.set(`${o}/${prefix}`, n);
    return `${prefix}${n}`;
  };
  const publish = (e: OrionEvent): void => {
    ledger.apply(e);
    published.push(e);
    bus.next(e);
  };
  const running = new Map<string, string[]>(orionIds.map((o) => [o, []]));
  const failed = new Map<string, string[]>(orionIds.map((o) => [o, []]));
  /** Tasks each orion has named so far (for answers by task id, known or not yet). */
  const tasks = new Map<string, string[]>(orionIds.map((o) => [o, ["t0"]]));
  const reacted = new Set<string>();
  let pushed = 0;
  let released = 0;
  const violations: string[] = [];
  const errors: unknown[] = [];

  // The orchestrator's listener: each of its own completions makes a task ready, once.
  const orchestrator = (e: OrionEvent): void => {
    if (e.type !== "TASK_COMPLETED" && e.type !== "TASK_FAILED") return;
    const id = idOf(e) as string;
    if (reacted.has(`${e.orionId}/${id}`)) return;
    reacted.add(`${e.orionId}/${id}`);
    let task = e.taskId;
    if (e.type === "TASK_COMPLETED") {
      const named = tasks.get(e.orionId) as string[];
      task = `t${named.length}`;
      named.push(task);
    }
    pushed++;
    ready.next({ orionId: e.orionId, task, after: id });
  };

  let latest: PendingState | undefined;
  const track = (s: PendingState): void => {
    if (latest === undefined || s.version > latest.version) latest = s;
    const last = s.last;
    if (last.kind === "registered") {
      const record = s.pending.get(pendingKey(last.entry.orionId, last.entry.taskId));
      if ((record?.later.length ?? 0) > 0) coverage.add("retry owes two");
    }
    if (last.kind === "completed" && last.trigger !== "ORION_MODIFIED")
      coverage.add("answer before completion");
    if (last.kind === "completed" && last.anticipatedEvents.length > 0)
      coverage.add("early answer by event id");
    if (last.kind === "ignored" && last.reason === "duplicate") {
      const type = (last.event as OrionEvent).type;
      coverage.add(type === "ORION_MODIFIED" ? "redelivered answer" : "redelivered task event");
    }
  };
  let sync: OrionModificationSynchronizer | undefined;
  let gate: MonoTypeOperatorFunction<Ready>;
  const options = {
    orionId: (v: Ready) => v.orionId,
    after: (v: Ready) => v.after,
    release: "all" as const,
  };
  const wireFold = (): void => {
    if (scenario.facade) {
      sync = new OrionModificationSynchronizer({ scheduler, modificationTimeout: NEVER_TIMES_OUT });
      sync.connect(bus);
      sync.state$.subscribe(track);
      const facade = sync;
      gate = scenario.perOrionGates
        ? (source) =>
            merge(
              ...orionIds.map((o) =>
                source.pipe(
                  filter((v) => v.orionId === o),
                  facade.gate<Ready>({ ...options, orionId: o }),
                ),
              ),
            )
        : facade.gate(options);
    } else {
      const state$: Observable<PendingState> = bus.pipe(
        pendingModifications({ scheduler, modificationTimeout: NEVER_TIMES_OUT }),
        shareReplay(1),
      );
      state$.subscribe(track);
      gate = gateReadyTasks(state$, { ...options, scheduler });
    }
  };
  if (scenario.foldFirst) {
    wireFold();
    bus.subscribe(orchestrator);
  } else {
    bus.subscribe(orchestrator);
    wireFold();
  }

  // A start: the invariant, then TASK_STARTED.
  const sub = ready.pipe(gate!).subscribe({
    next: (v) => {
      released++;
      const owed = ledger.owedIds(v.orionId);
      if (owed.length > 0) {
        violations.push(`${v.orionId}/${v.task} started with ${JSON.stringify(owed)} owed`);
      }
      const current = scenario.facade
        ? sync?.getCurrentOrion(v.orionId)
        : latest?.orions.get(v.orionId);
      if (current !== ledger.latest.get(v.orionId)) {
        violations.push(`${v.orionId}/${v.task} started on a stale orion`);
      }
      (running.get(v.orionId) as string[]).push(v.task);
      const retries = failed.get(v.orionId) as string[];
      if (retries.includes(v.task)) retries.splice(retries.indexOf(v.task), 1);
      publish({
        type: "TASK_STARTED",
        orionId: v.orionId,
        taskId: v.task,
        eventId: next(v.orionId, "s"),
      });
    },
    error: (e: unknown) => errors.push(e),
  });
  for (const o of orionIds) {
    pushed++;
    ready.next({ orionId: o, task: "t0" });
  }

  let edits = 0;
  const answer = (
    o: string,
    body: { onTaskIds: string[]; onEventIds?: string[] },
    edit: boolean,
  ): void => {
    const e: OrionEvent = {
      type: "ORION_MODIFIED",
      orionId: o,
      ...body,
      eventId: next(o, "m"),
      ...(edit ? { newOrion: { ...emptyOrion(o), metadata: { edit: ++edits } } } : {}),
    };
    publish(e);
  };
  // The fold against the ledger, read from the pending entries themselves.
  const checkCounts = (): void => {
    const entries = Array.from((latest as PendingState).pending.values());
    for (const o of orionIds) {
      const mine = entries.filter((e) => e.orionId === o);
      expect(mine.length, `tasks pending in ${o}`).toBe(ledger.pendingTasks(o));
      const owed = mine.reduce((n, e) => n + 1 + (e.later?.length ?? 0), 0);
      expect(owed, `modifications owed in ${o}`).toBe(ledger.owedIds(o).length);
    }
  };

  for (const c of scenario.commands) {
    if (c.kind === "redeliver") {
      if (published.length > 0) publish(published[c.pick % published.length] as OrionEvent);
    } else {
      const o = orionIds[c.orion % orionIds.length] as string;
      if (c.kind === "end") {
        const list = running.get(o) as string[];
        if (list.length === 0) continue;
        const [task] = list.splice(c.pick % list.length, 1) as [string];
        if (c.failed) (failed.get(o) as string[]).push(task);
        publish({
          type: c.failed ? "TASK_FAILED" : "TASK_COMPLETED",
          orionId: o,
          taskId: task,
          eventId: next(o, "c"),
        });
      } else if (c.kind === "retryNow") {
        const list = failed.get(o) as string[];
        if (list.length === 0) continue;
        const [task] = list.splice(c.pick % list.length, 1) as [string];
        (running.get(o) as string[]).push(task);
        publish({ type: "TASK_STARTED", orionId: o, taskId: task, eventId: next(o, "s") });
      } else if (c.kind === "answerTask") {
        // Any task named so far, or the next one: an answer may precede its completion.
        const named = tasks.get(o) as string[];
        const task =
          c.pick % (named.length + 1) < named.length
            ? named[c.pick % (named.length + 1)]
            : `t${named.length}`;
        answer(o, { onTaskIds: [task as string] }, c.edit);
      } else {
        // A completion id published so far, or one of the next two (an early answer).
        const n = (counters.get(`${o}/c`) ?? 0) + 2;
        const id = `c${(c.pick % n) + 1}`;
        answer(o, { onTaskIds: ["t0"], onEventIds: [id] }, c.edit);
      }
    }
    expect(violations).toEqual([]);
    checkCounts();
  }

  // The agent answers everything owed: every ready value must then be released.
  for (const o of orionIds) {
    const owed = ledger.owedIds(o);
    if (owed.length > 0) {
      answer(o, { onTaskIds: owed.map((x) => x.task), onEventIds: owed.map((x) => x.id) }, false);
    }
  }
  expect(violations).toEqual([]);
  checkCounts();
  expect(errors).toEqual([]);
  expect(released).toBe(pushed);
  sub.unsubscribe();
  sync?.dispose();
}

const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("end" as const),
      orion: fc.nat(3),
      pick: fc.nat(5),
      failed: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("answerTask" as const),
      orion: fc.nat(3),
      pick: fc.nat(6),
      edit: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("answerEvent" as const),
      orion: fc.nat(3),
      pick: fc.nat(8),
      edit: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("redeliver" as const), pick: fc.nat(50) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("retryNow" as const),
      orion: fc.nat(3),
      pick: fc.nat(3),
    }),
  },
);

const scenario: fc.Arbitrary<Scenario> = fc.record({
  orions: fc.integer({ min: 1, max: 3 }),
  foldFirst: fc.boolean(),
  facade: fc.boolean(),
  perOrionGates: fc.boolean(),
  commands: fc.array(command, { maxLength: 40 }),
});

/**
 * Scenarios that reach the rarest cases for certain, run before the random ones: the coverage
 * check below must not depend on the seed (150 random runs missed a retry now and then).
 */
const covering: readonly Scenario[] = [
  {
    orions: 1,
    foldFirst: true,
    facade: false,
    perOrionGates: false,
    // t0 fails, is started again, and completes while its failure's modification is owed.
    commands: [
      { kind: "end", orion: 0, pick: 0, failed: true },
      { kind: "retryNow", orion: 0, pick: 0 },
      { kind: "end", orion: 0, pick: 0, failed: false },
    ],
  },
];

describe("causal gate (issue 13): model-based", () => {
  it("no task starts while a modification of its orion registered before the start is owed, and every task starts on the latest orion", () => {
    coverage.clear();
    fc.assert(fc.property(scenario, run), {
      numRuns: runs(150),
      examples: covering.map((s) => [s]),
    });
    expect([...coverage].sort()).toEqual([
      "answer before completion",
      "early answer by event id",
      "redelivered answer",
      "redelivered task event",
      "retry owes two",
    ]);
  });

  it("the same with the orchestrator subscribed first, over the bare operators (the NestJS wiring)", () => {
    fc.assert(
      fc.property(
        scenario.map((s) => ({ ...s, foldFirst: false, facade: false })),
        run,
      ),
      { numRuns: runs(50) },
    );
  });
});
