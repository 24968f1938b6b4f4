import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { castDraft } from "immer";
import { immer } from "../../src/immer.js";
import {
  deriveOrionState,
  getReadyTasks,
  mergeOrionStates,
  statusLevel,
  validateOrion,
  type MergeOptions,
  type Task,
  type TaskOrion,
} from "../../src/orion/index.js";
import { dagArbitrary, taskWith, type GeneratedOrion } from "./support/arbitraries.js";
import { applyEdits, editArbitrary, type Edit } from "./support/edits.js";
import { naiveReadyIds } from "./support/reference.js";

const own = <T>(record: { readonly [key: string]: T }, key: string): T | undefined =>
  Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
const started = (task: Task): boolean => statusLevel(task.status) >= 2;
const execution = ({ status, result, error, executionStartTime, executionEndTime }: Task) => ({
  status,
  result,
  error,
  executionStartTime,
  executionEndTime,
});
const definition = ({
  name,
  description,
  priority,
  deviceType,
  targetDeviceId,
  params,
  extra,
}: Task) => ({
  name,
  description,
  priority,
  deviceType,
  targetDeviceId,
  params,
  extra,
});
const json = (value: unknown): string => JSON.stringify(value);

/** The merge rules, spelled out plainly, to check the optimised merge against. */
function referenceMerge(
  agent: TaskOrion,
  orchestrator: TaskOrion,
  options: MergeOptions,
): TaskOrion {
  const tasks = Object.create(null) as { [id: string]: Task };
  for (const [id, a] of Object.entries(agent.tasks)) {
    const o = own(orchestrator.tasks, id);
    if (o === undefined) {
      tasks[id] = a;
      continue;
    }
    const def = started(o) && json(definition(a)) !== json(definition(o)) ? o : a;
    const exec = statusLevel(o.status) >= statusLevel(a.status) ? o : a;
    tasks[id] = JSON.parse(json({ ...def, ...execution(exec), id })) as Task;
  }
  for (const [id, o] of Object.entries(orchestrator.tasks)) {
    if (own(agent.tasks, id) === undefined && started(o) && options.dropRemovedTasks !== true)
      tasks[id] = o;
  }
  return { ...agent, tasks, state: deriveOrionState({ tasks }) };
}

const scenario: fc.Arbitrary<Scenario> = fc.record({
  orchestrator: dagArbitrary(),
  /** The agent starts from a stale view: every task pending, as in the plan. */
  stale: fc.boolean(),
  edits: fc.array(editArbitrary, { maxLength: 6 }),
  viaJson: fc.boolean(),
  dropRemovedTasks: fc.boolean(),
});

interface Scenario {
  readonly orchestrator: GeneratedOrion;
  readonly stale: boolean;
  readonly edits: readonly Edit[];
  readonly viaJson: boolean;
  readonly dropRemovedTasks: boolean;
}

function setUp({ orchestrator, stale, edits, viaJson, dropRemovedTasks }: Scenario) {
  const o = orchestrator.orion;
  const plan = stale
    ? immer.produce(o, (draft) => {
        for (const id of Object.keys(draft.tasks)) {
          const { name, priority, params } = draft.tasks[id]!;
          draft.tasks[id] = castDraft({ ...taskWith(id, "pending", 0, params), name, priority });
        }
      })
    : o;
  return {
    orchestrator: o,
    agent: applyEdits(plan, edits, viaJson),
    options: { dropRemovedTasks },
  };
}

describe("mergeOrionStates (properties)", () => {
  it("matches the plainly written merge rules, report included", () => {
    fc.assert(
      fc.property(scenario, (input) => {
        const { orchestrator, agent, options } = setUp(input);
        const { orion: merged, report } = mergeOrionStates(agent, orchestrator, options);
        const expected = referenceMerge(agent, orchestrator, options);
        const valid = validateOrion(expected).ok;
        expect(report.error === undefined).toBe(valid);
        if (!valid) {
          expect(merged).toBe(orchestrator);
          return;
        }
        expect(merged).toEqual(expected);
        expect(Object.keys(merged.tasks)).toEqual(Object.keys(expected.tasks));
        const wasReady = new Set(naiveReadyIds(orchestrator));
        expect(report.newlyReady.map((t) => t.id)).toEqual(
          naiveReadyIds(merged).filter((id) => !wasReady.has(id)),
        );
        expect(report.added).toEqual(
          Object.keys(agent.tasks).filter((id) => own(orchestrator.tasks, id) === undefined),
        );
        expect(report.removed).toEqual(
          Object.keys(orchestrator.tasks).filter((id) => own(merged.tasks, id) === undefined),
        );
      }),
      { numRuns: 400 },
    );
  });

  it("never loses a more advanced execution state", () => {
    fc.assert(
      fc.property(scenario, (input) => {
        const { orchestrator, agent, options } = setUp(input);
        const { orion: merged } = mergeOrionStates(agent, orchestrator, options);
        for (const [id, o] of Object.entries(orchestrator.tasks)) {
          const m = own(merged.tasks, id);
          const a = own(agent.tasks, id);
          if (m === undefined) {
            // Only a not-started task, or one dropped on request, may disappear.
            expect(!started(o) || options.dropRemovedTasks).toBe(true);
            continue;
          }
          expect(statusLevel(m.status)).toBeGreaterThanOrEqual(statusLevel(o.status));
          if (a === undefined || statusLevel(o.status) >= statusLevel(a.status)) {
            expect(execution(m)).toEqual(execution(o));
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it("is idempotent: merging the result again changes nothing (same object)", () => {
    fc.assert(
      fc.property(scenario, (input) => {
        const { orchestrator, agent, options } = setUp(input);
        const once = mergeOrionStates(agent, orchestrator, options).orion;
        const twice = mergeOrionStates(once, orchestrator, options);
        expect(twice.orion).toEqual(once);
        if (validateOrion(orchestrator).ok || once !== orchestrator) expect(twice.orion).toBe(once);
      }),
      { numRuns: 300 },
    );
  });

  it("keeps the agent's unchanged task objects (structural sharing)", () => {
    fc.assert(
      fc.property(scenario, (input) => {
        const { orchestrator, agent, options } = setUp(input);
        const { orion: merged, report } = mergeOrionStates(agent, orchestrator, options);
        if (report.error !== undefined) return;
        for (const [id, task] of Object.entries(agent.tasks)) {
          if (json(merged.tasks[id]) === json(task)) expect(merged.tasks[id]).toBe(task);
        }
        if (json(merged) === json(agent)) expect(merged).toBe(agent);
        // The ready set after a merge is computed consistently too.
        expect(getReadyTasks(merged).map((t) => t.id)).toEqual(naiveReadyIds(merged));
      }),
      { numRuns: 300 },
    );
  });
});
