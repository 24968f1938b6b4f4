import fc from "fast-check";
import { map, timer } from "rxjs";
import { describe, expect, it } from "vitest";
import { createEventBus } from "../../src/bus.js";
import { eventIdOf } from "../../src/events.js";
import { orchestrate } from "../../src/orchestrator/orchestrateOrion.js";
import type { OrionRun } from "../../src/orion/OrionRun.js";
import type { ScopePolicy } from "../../src/pending/PendingState.js";
import { OrionModificationSynchronizer } from "../../src/synchronizer.js";
import { virtualTime } from "../../testing/index.js";
import { dagArbitrary } from "../orion/support/arbitraries.js";

// Scoped starts (issue 16), on random orions, scope policies, declarations, durations and
// agent latencies: no task starts while a pending modification's scope holds it, and once
// the loop has run (the end of each instant), no ready task outside every pending scope is
// left unstarted.

const silent = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

describe("orchestrateOrion scoped starts (property)", () => {
  it("starts no held task and leaves no free ready task", () => {
    fc.assert(
      fc.property(
        dagArbitrary(8),
        fc.constantFrom<"downstream" | "random" | "orion">("downstream", "random", "orion"),
        fc.array(fc.nat({ max: 8 }), { minLength: 8, maxLength: 8 }),
        fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 8, maxLength: 8 }),
        fc.array(fc.integer({ min: 0, max: 60 }), { minLength: 8, maxLength: 8 }),
        fc.boolean(),
        ({ orion, conditions }, policyKind, picks, durations, latencies, declares) => {
          const { scheduler } = virtualTime();
          const ids = Object.keys(orion.tasks);
          const index = (taskId: string): number => Math.max(0, ids.indexOf(taskId));
          /** A few task ids, chosen by `n`'s bits: scopes and declarations. */
          const subset = (n: number): string[] => ids.filter((_, i) => ((n >> i) & 1) === 1);
          const policy: ScopePolicy =
            policyKind === "random"
              ? (event) => {
                  const n = picks[index(event.taskId)] ?? 0;
                  return n === 8 ? "orion" : subset(n * 37 + 5);
                }
              : policyKind;
          const sync = new OrionModificationSynchronizer({
            scheduler,
            scope: policy,
            logger: silent,
          });
          const bus = createEventBus();
          bus.subscribe(sync);
          const violations: string[] = [];
          let run: OrionRun | undefined;
          let finished = false;
          // Checked as each start is published: the synchronizer has seen everything before it.
          bus.subscribe({
            onEvent: (event) => {
              if (event.type === "TASK_STARTED" && sync.holdsTasks(orion.id, [event.taskId])) {
                violations.push(`${event.taskId} started while held at ${scheduler.now()}`);
              }
            },
          });
          // An agent answering each completion on its own after a latency; some declare.
          let n = 0;
          bus.events$.subscribe((event) => {
            if (event.type !== "TASK_COMPLETED" && event.type !== "TASK_FAILED") return;
            const id = eventIdOf(event);
            const named = id === undefined ? {} : { onEventIds: [id] };
            const i = index(event.taskId);
            if (declares && (picks[i] ?? 0) % 2 === 0) {
              bus.publish({
                type: "ORION_MODIFYING",
                orionId: event.orionId,
                onTaskIds: [event.taskId],
                ...named,
                scope: subset((picks[i] ?? 0) * 11 + 3),
                eventId: `agent:${++n}`,
              });
            }
            scheduler.schedule(() => {
              bus.publish({
                type: "ORION_MODIFIED",
                orionId: event.orionId,
                onTaskIds: [event.taskId],
                ...named,
                eventId: `agent:${++n}`,
              });
            }, latencies[i] ?? 0);
          });
          orchestrate(
            orion,
            {
              bus,
              scheduler,
              synchronizer: sync,
              scoped: true,
              readyOptions: { conditions },
              executeTask: (task) => {
                const ms = durations[index(task.id)] ?? 0;
                return ms === 0 ? null : timer(ms, scheduler).pipe(map(() => null));
              },
            },
            { onRun: (r) => (run = r) },
          ).subscribe({
            next: (p) => {
              if (p.kind === "finished") finished = true;
            },
            error: (error: unknown) => violations.push(`failed: ${String(error)}`),
          });
          // Instant by instant: after each, every ready task is running or held.
          for (let guard = 0; scheduler.actions.length > 0 && guard < 1000; guard++) {
            const next = scheduler.actions[0]!.delay;
            scheduler.maxFrames = next;
            scheduler.flush();
            if (finished || run === undefined) continue;
            for (const task of run.ready()) {
              if (task.status === "pending" && !sync.holdsTasks(orion.id, [task.id])) {
                violations.push(`${task.id} ready and free but not started at ${scheduler.now()}`);
              }
            }
          }
          scheduler.maxFrames = Number.POSITIVE_INFINITY;
          scheduler.flush();
          sync.dispose();
          expect(violations).toEqual([]);
          expect(finished).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });
});
