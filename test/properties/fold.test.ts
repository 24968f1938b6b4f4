/**
 * The fold against an obviously-correct model, over random event sequences with time.
 * The model is plain mutable code written from the rules in `reducePending`'s comment.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { initialPendingState, reducePending } from "../../src/pending/reducePending.js";
import type { PendingState } from "../../src/pending/PendingState.js";
import { runs } from "./runs.js";

type Step =
  | { t: "completed" | "failed" | "started"; orion: number; task: number }
  | { t: "modified"; orion: number; tasks: number[] }
  | { t: "orionEnded"; orion: number }
  | { t: "invalid" }
  | { t: "clear" }
  | { t: "advance"; ms: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constantFrom("completed" as const, "failed" as const, "started" as const),
      orion: fc.nat(1),
      task: fc.nat(4),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant("modified" as const),
      orion: fc.nat(1),
      tasks: fc.array(fc.nat(4), { minLength: 1, maxLength: 3 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("orionEnded" as const), orion: fc.nat(1) }) },
  { weight: 1, arbitrary: fc.constant({ t: "invalid" as const }) },
  { weight: 1, arbitrary: fc.constant({ t: "clear" as const }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("advance" as const), ms: fc.nat(150) }) },
);

const TIMEOUT = 100;

/** The model: per key, what is known; plus counters. */
class Model {
  /** Per key with something owed: the owed deadlines, oldest first, and whether it restarted since. */
  pending = new Map<string, { deadlines: number[]; restarted: boolean }>();
  records = new Map<string, { phase: string; deadline: number }>();
  stats = {
    total: 0,
    completed: 0,
    timeout: 0,
    cleared: 0,
    duplicate: 0,
    unmatched: 0,
    late: 0,
    invalid: 0,
  };
  now = 0;

  /** Answered records are forgotten one timeout after the answer. */
  forgetAnswered(): void {
    for (const [k, r] of [...this.records]) {
      if (r.phase !== "anticipated" && r.deadline <= this.now) this.records.delete(k);
    }
  }

  answer(k: string, phase: string): void {
    this.records.set(k, { phase, deadline: this.now + TIMEOUT });
  }

  expire(): void {
    for (const [k, p] of [...this.pending]) {
      const left = p.deadlines.filter((d) => d > this.now);
      this.stats.timeout += p.deadlines.length - left.length;
      p.deadlines = left;
      if (left.length === 0) {
        this.pending.delete(k);
        this.answer(k, "timed-out");
      }
    }
    for (const [k, r] of [...this.records]) {
      if (r.phase === "anticipated" && r.deadline <= this.now) this.records.delete(k);
    }
  }

  apply(s: Step): void {
    this.forgetAnswered();
    if (s.t === "advance") {
      this.now += s.ms;
      this.expire();
    } else if (s.t === "invalid") this.stats.invalid++;
    else if (s.t === "clear") {
      for (const [k, p] of this.pending) {
        this.answer(k, "cleared");
        this.stats.cleared += p.deadlines.length;
      }
      this.pending.clear();
    } else if (s.t === "orionEnded") {
      // Reported only: records expire on their own.
    } else if (s.t === "started") {
      // A new run forgets an answered or anticipated task; a pending one is marked restarted.
      const k = `${s.orion}/${s.task}`;
      const p = this.pending.get(k);
      if (p) p.restarted = true;
      else this.records.delete(k);
    } else if (s.t === "completed" || s.t === "failed") {
      const k = `${s.orion}/${s.task}`;
      const r = this.records.get(k);
      const p = this.pending.get(k);
      if (p?.restarted) {
        // A retry's end while the earlier modification is owed: a second one.
        p.deadlines.push(this.now + TIMEOUT);
        p.restarted = false;
        this.stats.total++;
      } else if (p || (r && r.phase !== "anticipated")) this.stats.duplicate++;
      else if (r) {
        this.answer(k, "completed");
        this.stats.total++;
        this.stats.completed++;
      } else {
        this.pending.set(k, { deadlines: [this.now + TIMEOUT], restarted: false });
        this.stats.total++;
      }
    } else if (s.t === "modified") {
      for (const task of new Set(s.tasks)) {
        const k = `${s.orion}/${task}`;
        const r = this.records.get(k);
        const p = this.pending.get(k);
        if (p) {
          p.deadlines.shift();
          if (p.deadlines.length === 0) {
            this.pending.delete(k);
            this.answer(k, "completed");
          }
          this.stats.completed++;
        } else if (!r) {
          this.records.set(k, { phase: "anticipated", deadline: this.now + TIMEOUT });
          this.stats.unmatched++;
        } else if (r.phase === "timed-out" || r.phase === "cleared") this.stats.late++;
        else this.stats.duplicate++;
      }
    }
  }
}

function toInput(s: Step) {
  switch (s.t) {
    case "completed":
      return {
        kind: "event" as const,
        event: { type: "TASK_COMPLETED", orionId: `o${s.orion}`, taskId: `t${s.task}` },
      };
    case "failed":
      return {
        kind: "event" as const,
        event: { type: "TASK_FAILED", orionId: `o${s.orion}`, taskId: `t${s.task}` },
      };
    case "started":
      return {
        kind: "event" as const,
        event: { type: "TASK_STARTED", orionId: `o${s.orion}`, taskId: `t${s.task}` },
      };
    case "modified":
      return {
        kind: "event" as const,
        event: {
          type: "ORION_MODIFIED",
          orionId: `o${s.orion}`,
          onTaskIds: s.tasks.map((t) => `t${t}`),
        },
      };
    case "orionEnded":
      return { kind: "event" as const, event: { type: "ORION_COMPLETED", orionId: `o${s.orion}` } };
    case "invalid":
      return { kind: "event" as const, event: { type: "TASK_COMPLETED", orionId: 5 } };
    case "clear":
      return { kind: "clear" as const };
    case "advance":
      return undefined;
  }
}

function pendingOf(state: PendingState): string[] {
  return [...state.pending.values()]
    .map((e) => `${e.orionId.slice(1)}/${e.taskId.slice(1)}`)
    .sort();
}

describe("the fold against a model", () => {
  it("agrees on the pending set and every counter after every step", () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const model = new Model();
        let state = initialPendingState(TIMEOUT, 0);
        for (const s of steps) {
          model.apply(s);
          const input = toInput(s);
          if (input) state = reducePending(state, input, model.now);
          else {
            // Time passes: expire everything due, as the operator's timer would.
            const due = [...state.records.values()].flatMap((r) =>
              r.phase === "pending" || r.phase === "anticipated"
                ? [{ kind: r.phase, orionId: r.orionId, taskId: r.taskId }]
                : [],
            );
            state = reducePending(state, { kind: "expire", due }, model.now);
          }
          expect(pendingOf(state)).toEqual([...model.pending.keys()].sort());
          const st = state.stats;
          expect([
            st.totalModifications,
            st.completedModifications,
            st.timeoutModifications,
            st.clearedModifications,
            st.duplicateEvents,
            st.unmatchedModifications,
            st.lateModifications,
            st.invalidEvents,
          ]).toEqual([
            model.stats.total,
            model.stats.completed,
            model.stats.timeout,
            model.stats.cleared,
            model.stats.duplicate,
            model.stats.unmatched,
            model.stats.late,
            model.stats.invalid,
          ]);
          expect(st.totalModifications).toBe(
            st.completedModifications +
              st.timeoutModifications +
              st.clearedModifications +
              state.owedCount,
          );
          const anticipatedCount = [...model.records.values()].filter(
            (r) => r.phase === "anticipated",
          ).length;
          expect(state.anticipatedCount).toBe(anticipatedCount);
        }
      }),
      { numRuns: runs(500) },
    );
  });
});
