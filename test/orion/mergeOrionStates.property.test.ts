import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { castDraft } from "immer";
import { immer } from "../../src/immer.js";
import {
  deriveOrionState,
  getReadyTasks,
  mergeOrionStates,
  statusLevel,
  taskStatuses,
  validateOrion,
  type MergeOptions,
  type Task,
  type TaskOrion,
} from "../../src/orion/index.js";
import { dagArbitrary, taskWith, type GeneratedOrion } from "./support/arbitraries.js";
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

type Edit =
  | { kind: "regress"; task: number }
  | { kind: "advance"; task: number; status: Task["status"] }
  | { kind: "params"; task: number; value: number }
  | { kind: "rename"; task: number }
  | { kind: "remove"; task: number; keepEdges: boolean }
  | { kind: "add"; after: number }
  | { kind: "edge"; from: number; to: number }
  | { kind: "unedge"; edge: number };

const editArbitrary: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant("regress" as const), task: fc.nat(20) }),
  fc.record({
    kind: fc.constant("advance" as const),
    task: fc.nat(20),
    status: fc.constantFrom(...taskStatuses),
  }),
  fc.record({ kind: fc.constant("params" as const), task: fc.nat(20), value: fc.nat(3) }),
  fc.record({ kind: fc.constant("rename" as const), task: fc.nat(20) }),
  fc.record({ kind: fc.constant("remove" as const), task: fc.nat(20), keepEdges: fc.boolean() }),
  fc.record({ kind: fc.constant("add" as const), after: fc.nat(20) }),
  fc.record({ kind: fc.constant("edge" as const), from: fc.nat(20), to: fc.nat(20) }),
  fc.record({ kind: fc.constant("unedge" as const), edge: fc.nat(40) }),
);

/** The agent's orion: the orchestrator's (or a stale copy of it) with edits applied. */
function applyEdits(base: TaskOrion, edits: readonly Edit[], viaJson: boolean): TaskOrion {
  const edited = immer.produce(base, (draft) => {
    edits.forEach((edit, n) => {
      const ids = Object.keys(draft.tasks);
      const pick = (i: number): string | undefined => ids[i % Math.max(ids.length, 1)];
      switch (edit.kind) {
        case "regress":
        case "advance": {
          const id = pick(edit.task);
          if (id === undefined) return;
          const task = taskWith(
            id,
            edit.kind === "regress" ? "pending" : edit.status,
            50 + n,
            draft.tasks[id]!.params,
          );
          draft.tasks[id] = castDraft({ ...task, name: draft.tasks[id]!.name });
          return;
        }
        case "params": {
          const id = pick(edit.task);
          if (id !== undefined) draft.tasks[id]!.params = { value: edit.value };
          return;
        }
        case "rename": {
          const id = pick(edit.task);
          if (id !== undefined) draft.tasks[id]!.name = `renamed ${n}`;
          return;
        }
        case "remove": {
          const id = pick(edit.task);
          if (id === undefined) return;
          delete draft.tasks[id];
          if (edit.keepEdges) return;
          for (const [key, d] of Object.entries(draft.dependencies)) {
            if (d.fromTaskId === id || d.toTaskId === id) delete draft.dependencies[key];
          }
          return;
        }
        case "add": {
          const id = `new${n}`;
          draft.tasks[id] = castDraft(taskWith(id, "pending", n));
          const from = pick(edit.after);
          if (from !== undefined) {
            draft.dependencies[`${from}->${id}`] = {
              id: `${from}->${id}`,
              fromTaskId: from,
              toTaskId: id,
              type: "success_only",
            };
          }
          return;
        }
        case "edge": {
          const from = pick(edit.from);
          const to = pick(edit.to);
          if (from === undefined || to === undefined) return;
          const id = `${from}=>${to}#${n}`;
          draft.dependencies[id] = { id, fromTaskId: from, toTaskId: to, type: "unconditional" };
          return;
        }
        case "unedge": {
          const keys = Object.keys(draft.dependencies);
          if (keys.length > 0) delete draft.dependencies[keys[edit.edge % keys.length]!];
          return;
        }
      }
    });
  });
  return viaJson ? (JSON.parse(JSON.stringify(edited)) as TaskOrion) : edited;
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
