import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createEventBus } from "../../src/bus.js";
import { orchestrateOrion } from "../../src/orchestrator/orchestrateOrion.js";
import type { OrchestrationProgress } from "../../src/orchestrator/types.js";
import { getReadyTasks, isDependencySatisfied, type TaskOrion } from "../../src/orion/index.js";
import { OrionModificationSynchronizer } from "../../src/synchronizer.js";
import { dagArbitrary } from "../orion/support/arbitraries.js";
import { applyEdits, editArbitrary, type Edit } from "../orion/support/edits.js";

// The orchestrator keeps readiness incrementally (an OrionRun) and builds the orions of its
// progress events lazily (issue 15). Against the model's from-scratch functions, on random
// orions, outcomes and agent edits: a task starts only with every incoming edge satisfied, each
// completion's newlyReadyTaskIds are ready then, nothing startable is left at the end, and an
// event's orion read long after it is the one read at once.

const silent = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

describe("orchestrateOrion readiness (property)", () => {
  it("starts only ready tasks, reports ready ones, leaves none, and its lazy orions do not drift", () => {
    fc.assert(
      fc.property(
        dagArbitrary(8),
        fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
        fc.boolean(),
        fc.array(fc.array(editArbitrary, { maxLength: 3 }), { maxLength: 4 }),
        ({ orion, conditions }, outcomes, synced, agentEdits) => {
          const bus = createEventBus();
          const sync = synced ? new OrionModificationSynchronizer({ logger: silent }) : undefined;
          if (sync) bus.subscribe(sync);
          const edits: Edit[][] = [...agentEdits];
          // A synchronous agent: answers each completion at once, with the next edits if any.
          const agentSubscription = bus.events$.subscribe((event) => {
            if (!sync || (event.type !== "TASK_COMPLETED" && event.type !== "TASK_FAILED")) return;
            const next = edits.shift();
            const view = sync.getCurrentOrion(orion.id);
            bus.publish({
              type: "ORION_MODIFIED",
              orionId: orion.id,
              onTaskIds: [event.taskId],
              ...(next === undefined || view === undefined
                ? {}
                : { newOrion: applyEdits(view, next, false) }),
            });
          });
          const ids = Object.keys(orion.tasks);
          const progress: OrchestrationProgress[] = [];
          const eager: unknown[] = [];
          orchestrateOrion(orion, {
            bus,
            synchronizer: sync,
            readyOptions: { conditions },
            executeTask: (task) => {
              if (outcomes[ids.indexOf(task.id) % outcomes.length] === false) throw new Error("no");
              return null;
            },
          }).subscribe((p) => {
            progress.push(p);
            // Every other event read at once; all of them again at the end.
            if (p.kind === "event" && progress.length % 2 === 0)
              eager.push(structuredClone(p.orion));
            else eager.push(undefined);
          });
          agentSubscription.unsubscribe();
          sync?.dispose();

          const last = progress[progress.length - 1];
          expect(last?.kind).toBe("finished");
          progress.forEach((p, i) => {
            if (p.kind !== "event") return;
            const now: TaskOrion = p.orion;
            if (eager[i] !== undefined) expect(now).toEqual(eager[i]);
            const { event } = p;
            if (event.type === "TASK_STARTED") {
              expect(now.tasks[event.taskId]?.status).toBe("running");
              for (const dep of Object.values(now.dependencies)) {
                if (dep.toTaskId !== event.taskId) continue;
                expect(isDependencySatisfied(dep, now.tasks[dep.fromTaskId], conditions)).toBe(
                  true,
                );
              }
            } else if (event.type === "TASK_COMPLETED" || event.type === "TASK_FAILED") {
              const ready = new Set(getReadyTasks(now, { conditions }).map((t) => t.id));
              for (const id of event.newlyReadyTaskIds ?? []) expect(ready.has(id)).toBe(true);
            }
          });
          if (last?.kind === "finished") {
            const left = getReadyTasks(last.result.orion, { conditions }).filter(
              (t) => t.status === "pending",
            );
            expect(left).toEqual([]);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
