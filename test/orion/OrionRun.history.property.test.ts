import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createOrionRun, type TaskOrion } from "../../src/orion/index.js";
import { runs } from "../properties/runs.js";
import { dagArbitrary } from "./support/arbitraries.js";
import { applyEdits } from "./support/edits.js";
import { changed, pickOf, weightedRunSteps, type RunStep } from "./support/runSteps.js";

// keepHistory's flat undo history: after random transitions and agent merges (incremental,
// full, rejected), `snapshotAt(v)` gives every version as `snapshot()` gave it then, whether
// asked in the middle of the run, at the end, in random order or newest first.

type Step = RunStep | { kind: "peek"; at: number };

/** The run's steps, and asking for an earlier version in the middle of the run. */
const step: fc.Arbitrary<Step> = fc.oneof(...weightedRunSteps, {
  weight: 2,
  arbitrary: fc.record({ kind: fc.constant("peek" as const), at: fc.nat() }),
});

const terminal = ["completed", "failed", "cancelled"];

describe("createOrionRun with keepHistory (properties)", () => {
  it("gives every earlier version as snapshot() gave it, whatever came after and whenever asked", () => {
    fc.assert(
      fc.property(
        dagArbitrary(),
        fc.array(step, { maxLength: 30 }),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 20 }),
        ({ orion: initial, conditions }, steps, dropRemovedTasks, asks) => {
          const run = createOrionRun(initial, { conditions, dropRemovedTasks, keepHistory: true });
          /** The snapshot of each version seen (takeReady makes several versions at once). */
          const seen = new Map<number, TaskOrion>();
          const look = (): void => {
            if (!seen.has(run.version)) seen.set(run.version, run.snapshot());
          };
          const checkAt = (version: number): void => {
            const then = seen.get(version);
            if (then === undefined) run.snapshotAt(version);
            else expect(run.snapshotAt(version)).toEqual(then);
          };
          let lastEdited = initial;
          let lastAgent = initial;
          let t = 0;
          look();
          for (const s of steps) {
            t++;
            const now = run.snapshot();
            switch (s.kind) {
              case "start": {
                const id = pickOf(now, s.pick, (task) => run.isReady(task.id));
                if (id !== undefined) run.start(id, t);
                break;
              }
              case "complete": {
                const id = pickOf(now, s.pick, (task) => task.status === "running");
                const outcome = s.success
                  ? { success: true as const, result: t }
                  : { success: false as const, error: t };
                if (id !== undefined) run.complete(id, outcome, t);
                break;
              }
              case "cancel": {
                const id = pickOf(now, s.pick, (task) => !terminal.includes(task.status));
                if (id !== undefined) run.cancel(id, t);
                break;
              }
              case "take":
                run.takeReady(s.max, t);
                break;
              case "peek":
                checkAt(s.at % (run.version + 1));
                break;
              case "agent": {
                // immer cannot draft a JSON-parsed record with a `__proto__` key: edit the
                // agent's orion from before its JSON trip.
                const edited = applyEdits(s.fromLast ? lastEdited : now, s.edits, false);
                const agent = s.viaJson
                  ? (JSON.parse(JSON.stringify(edited)) as TaskOrion)
                  : edited;
                const hint = s.hint
                  ? {
                      tasks: changed(agent.tasks, lastAgent.tasks),
                      dependencies: changed(agent.dependencies, lastAgent.dependencies),
                    }
                  : undefined;
                if (run.applyAgentOrion(agent, hint).error === undefined) {
                  lastAgent = agent;
                  lastEdited = edited;
                }
                break;
              }
            }
            look();
          }
          for (const a of asks) checkAt(a % (run.version + 1));
          for (let version = run.version; version >= 0; version--) checkAt(version);
        },
      ),
      { numRuns: runs(100) },
    );
  });
});
