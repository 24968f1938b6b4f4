import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  cancelTask,
  completeTask,
  createOrionRun,
  getReadyTasks,
  isComplete,
  mergeOrionStates,
  startTask,
  type Task,
  type TaskOrion,
} from "../../src/orion/index.js";
import { dagArbitrary } from "./support/arbitraries.js";
import { applyEdits } from "./support/edits.js";
import { changed, pickOf, runStep } from "./support/runSteps.js";

// The incremental run against the model's whole-orion functions, step by step: after random
// transitions and random agent edits, its ready set is a from-scratch `getReadyTasks`, and its
// snapshot is what `startTask`/`completeTask`/`cancelTask`/`mergeOrionStates` produce.

const ids = (tasks: readonly Task[]): string[] => tasks.map((t) => t.id);
describe("createOrionRun (properties)", () => {
  it("agrees with getReadyTasks and the model's transitions and merge, step by step", () => {
    fc.assert(
      fc.property(
        dagArbitrary(),
        fc.array(runStep, { maxLength: 25 }),
        fc.boolean(),
        ({ orion: initial, conditions }, steps, dropRemovedTasks) => {
          const options = { conditions, dropRemovedTasks };
          const run = createOrionRun(initial, options);
          let reference = initial;
          let lastAgent = initial;
          let lastEdited = initial;
          let t = 0;
          const check = (): void => {
            expect(ids(run.ready())).toEqual(ids(getReadyTasks(reference, { conditions })));
            const snapshot = run.snapshot();
            expect(snapshot).toEqual(reference);
            expect(run.state()).toBe(reference.state);
            expect(run.isFinished()).toBe(isComplete(reference));
            expect(run.peekReady()?.id).toBe(run.ready()[0]?.id);
          };
          check();
          for (const s of steps) {
            t++;
            switch (s.kind) {
              case "start": {
                const id = pickOf(reference, s.pick, (task) => run.isReady(task.id));
                if (id === undefined) break;
                run.start(id, t);
                reference = startTask(reference, id, t);
                break;
              }
              case "complete": {
                const id = pickOf(reference, s.pick, (task) => task.status === "running");
                if (id === undefined) break;
                const outcome = s.success
                  ? { success: true as const, result: t }
                  : { success: false as const, error: `e${t}` };
                const newlyReady = run.complete(id, outcome, t);
                const transition = completeTask(reference, id, outcome, t, { conditions });
                expect(ids(newlyReady)).toEqual(ids(transition.newlyReady));
                reference = transition.orion;
                break;
              }
              case "cancel": {
                const id = pickOf(
                  reference,
                  s.pick,
                  (task) => !["completed", "failed", "cancelled"].includes(task.status),
                );
                if (id === undefined) break;
                const transition = cancelTask(reference, id, t, { conditions });
                expect(ids(run.cancel(id, t))).toEqual(ids(transition.newlyReady));
                reference = transition.orion;
                break;
              }
              case "take": {
                const expected = ids(getReadyTasks(reference, { conditions })).slice(0, s.max);
                expect(ids(run.takeReady(s.max, t))).toEqual(expected);
                for (const id of expected) reference = startTask(reference, id, t);
                break;
              }
              case "agent": {
                // immer cannot draft a JSON-parsed record with a `__proto__` key: edit the
                // agent's orion from before its JSON trip.
                const edited = applyEdits(s.fromLast ? lastEdited : run.snapshot(), s.edits, false);
                const agent = s.viaJson
                  ? (JSON.parse(JSON.stringify(edited)) as TaskOrion)
                  : edited;
                const hint = s.hint
                  ? {
                      tasks: changed(agent.tasks, lastAgent.tasks),
                      dependencies: changed(agent.dependencies, lastAgent.dependencies),
                    }
                  : undefined;
                const report = run.applyAgentOrion(agent, hint);
                const merge = mergeOrionStates(agent, reference, options);
                expect(report.error === undefined).toBe(merge.report.error === undefined);
                if (merge.report.error === undefined) {
                  expect(ids(report.newlyReady)).toEqual(ids(merge.report.newlyReady));
                  expect(report.added).toEqual(merge.report.added);
                  expect([...report.removed].sort()).toEqual([...merge.report.removed].sort());
                  lastAgent = agent;
                  lastEdited = edited;
                }
                reference = merge.orion;
                break;
              }
            }
            check();
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
