/**
 * Scoped holds against a brute-force reading of the owed modifications (issue 16): after
 * random completions, retries, declarations, answers and time, `holdsTasks` holds exactly
 * the tasks some owed modification's scope contains, and a modification's scope never
 * widens once registered.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { OrionEvent } from "../../src/events.js";
import { orion } from "../../src/orion/orion.js";
import {
  holdsTasks,
  inScope,
  type PendingEntry,
  type PendingState,
  type ScopePolicy,
} from "../../src/pending/PendingState.js";
import { initialPendingState, reducePending } from "../../src/pending/reducePending.js";
import { runs } from "../properties/runs.js";

const TASKS = ["a", "b", "c", "d", "e"] as const;
/** a → b → c, a → d, e alone. */
const plan = orion("o")
  .task("a")
  .task("b", { after: "a" })
  .task("c", { after: "b" })
  .task("d", { after: "a" })
  .task("e")
  .build();
/** Tasks a value may name: the plan's, and one the agent may add. */
const NAMES = [...TASKS, "added"];

type Step =
  | { t: "ended"; task: string; failed: boolean }
  | { t: "started"; task: string }
  | { t: "modifying"; tasks: string[]; scope: string[] }
  | { t: "modified"; tasks: string[] }
  | { t: "advance"; ms: number };

const task = fc.constantFrom(...TASKS);
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ t: fc.constant("ended" as const), task, failed: fc.boolean() }),
  fc.record({ t: fc.constant("started" as const), task }),
  fc.record({
    t: fc.constant("modifying" as const),
    tasks: fc.uniqueArray(task, { minLength: 1, maxLength: 2 }),
    scope: fc.uniqueArray(fc.constantFrom(...NAMES), { maxLength: 3 }),
  }),
  fc.record({
    t: fc.constant("modified" as const),
    tasks: fc.uniqueArray(task, { minLength: 1, maxLength: 2 }),
  }),
  fc.record({ t: fc.constant("advance" as const), ms: fc.nat(80) }),
);
const policy: fc.Arbitrary<ScopePolicy> = fc.constantFrom<ScopePolicy>(
  "orion",
  "downstream",
  (event) => (event.taskId === "e" ? "orion" : ["c", "e"]),
);

function toEvent(s: Step): OrionEvent | undefined {
  switch (s.t) {
    case "ended":
      return { type: s.failed ? "TASK_FAILED" : "TASK_COMPLETED", orionId: "o", taskId: s.task };
    case "started":
      return { type: "TASK_STARTED", orionId: "o", taskId: s.task };
    case "modifying":
      return { type: "ORION_MODIFYING", orionId: "o", onTaskIds: s.tasks, scope: s.scope };
    case "modified":
      return { type: "ORION_MODIFIED", orionId: "o", onTaskIds: s.tasks };
    case "advance":
      return undefined;
  }
}

/** Every owed modification of the state, each once. */
function owed(state: PendingState): PendingEntry[] {
  return [...state.pending.values()].flatMap((e) => [e, ...e.later]);
}

describe("scoped holds", () => {
  it("hold exactly the tasks an owed modification's scope contains, and never widen", () => {
    fc.assert(
      fc.property(policy, fc.boolean(), fc.array(step, { maxLength: 40 }), (scope, hold, steps) => {
        let now = 0;
        let state = reducePending(
          initialPendingState(100, 0),
          { kind: "event", event: { type: "ORION_STARTED", orionId: "o", orion: plan } },
          0,
        );
        const scopes = new Map<number, Set<string>>();
        for (const s of steps) {
          const event = toEvent(s);
          if (event === undefined) {
            now += (s as { ms: number }).ms;
            const due = [...state.pending.values()].map((e) => ({
              kind: "pending" as const,
              orionId: e.orionId,
              taskId: e.taskId,
            }));
            state = reducePending(state, { kind: "expire", due, hold }, now);
          } else {
            state = reducePending(state, { kind: "event", event, scope }, now);
          }
          const entries = owed(state);
          for (const name of NAMES) {
            const brute = entries.some((e) => inScope(e.scope, name));
            expect(holdsTasks(state, "o", [name])).toBe(brute);
          }
          for (const e of entries) {
            const now = new Set(NAMES.filter((name) => inScope(e.scope, name)));
            const before = scopes.get(e.seq);
            if (before !== undefined) {
              for (const name of now) expect(before.has(name)).toBe(true);
            }
            scopes.set(e.seq, now);
          }
          const summary = state.byOrion.get("o");
          expect(summary?.wholeOrion ?? 0).toBe(entries.filter((e) => e.scope === "orion").length);
          expect(summary?.scoped.length ?? 0).toBe(
            entries.filter((e) => e.scope !== "orion").length,
          );
        }
      }),
      { numRuns: runs(300) },
    );
  });
});
