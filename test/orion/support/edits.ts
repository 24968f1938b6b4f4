/** Random edits an agent makes to an orion, shared by the merge and the run property tests. */
import fc from "fast-check";
import { castDraft } from "immer";
import { immer } from "../../../src/immer.js";
import { taskStatuses, type Task, type TaskOrion } from "../../../src/orion/index.js";
import { taskWith } from "./arbitraries.js";

export type Edit =
  | { kind: "regress"; task: number }
  | { kind: "advance"; task: number; status: Task["status"] }
  | { kind: "params"; task: number; value: number }
  | { kind: "rename"; task: number }
  | { kind: "remove"; task: number; keepEdges: boolean }
  | { kind: "add"; after: number }
  | { kind: "edge"; from: number; to: number }
  | { kind: "unedge"; edge: number };

export const editArbitrary: fc.Arbitrary<Edit> = fc.oneof(
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
export function applyEdits(base: TaskOrion, edits: readonly Edit[], viaJson: boolean): TaskOrion {
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
