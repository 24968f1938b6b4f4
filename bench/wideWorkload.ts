/**
 * Issue 16's wide orion and the agent that edits each branch's report, in one home: the scoped
 * holds bench (`bench/scopes.ts`) runs it at 8 × 10, and the simulation's tests at a smaller size.
 */
import type { AgentDeclare, AgentEdit } from "../src/agent/createScriptedAgent.js";
import { orion } from "../src/orion/orion.js";
import type { Task, TaskOrion } from "../src/orion/types.js";

/** A wide orion and the report-editing agent's edit, declaration and staleness rule. */
export interface WideWorkload {
  /** `branches` independent chains `b<i>_0 → … → b<i>_<length-1>`; the last of each is its report. */
  readonly orion: () => TaskOrion;
  /**
   * On each completion but a report's, the agent marks its branch's report with
   * `after_<completed>`, and declares that report as the only task it may change.
   */
  readonly edit: AgentEdit;
  readonly declare: AgentDeclare;
  /** Stale for that agent: a report started without every result of its branch folded in. */
  readonly isStale: (task: Task) => boolean;
}

export function wideWorkload(branches: number, length: number): WideWorkload {
  const branchOf = (taskId: string): string => taskId.slice(0, taskId.indexOf("_"));
  const tailOf = (taskId: string): string => `${branchOf(taskId)}_${length - 1}`;
  return {
    orion: () => {
      let builder = orion("wide", { name: `${branches} branches of ${length} tasks` });
      for (let b = 0; b < branches; b++) {
        for (let i = 0; i < length; i++) {
          builder = builder.task(`b${b}_${i}`, i === 0 ? {} : { after: `b${b}_${i - 1}` });
        }
      }
      return builder.build();
    },
    edit: (event, view) => {
      const tail = tailOf(event.taskId);
      const task = view?.tasks[tail];
      if (view === undefined || task === undefined || tail === event.taskId) return undefined;
      return {
        ...view,
        tasks: {
          ...view.tasks,
          [tail]: { ...task, params: { ...task.params, [`after_${event.taskId}`]: true } },
        },
      };
    },
    declare: (event) => (tailOf(event.taskId) === event.taskId ? [] : [tailOf(event.taskId)]),
    isStale: (task) => {
      if (tailOf(task.id) !== task.id) return false; // the agent never changes the others
      for (let i = 0; i < length - 1; i++) {
        if (task.params[`after_${branchOf(task.id)}_${i}`] !== true) return true;
      }
      return false;
    },
  };
}
