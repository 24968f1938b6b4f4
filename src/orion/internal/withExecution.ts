import type { Task } from "../types.js";
import { deepEqual } from "./deepEqual.js";

/** The fields of a task that record its execution; everything else is its definition. @internal */
export type Execution = Pick<
  Task,
  "status" | "result" | "error" | "executionStartTime" | "executionEndTime"
>;

/** Whether two tasks record the same execution. @internal */
export function sameExecution(a: Execution, b: Execution): boolean {
  return (
    a.status === b.status &&
    a.executionStartTime === b.executionStartTime &&
    a.executionEndTime === b.executionEndTime &&
    deepEqual(a.result, b.result) &&
    deepEqual(a.error, b.error)
  );
}

/**
 * A new task with `definition`'s definition and `execution`'s execution fields; a field that
 * `execution` lacks is absent from the result, not `undefined`.
 * @internal
 */
export function withExecution(definition: Task, execution: Execution): Task {
  const task: { -readonly [K in keyof Task]: Task[K] } = {
    ...definition,
    status: execution.status,
  };
  if (execution.result === undefined) delete task.result;
  else task.result = execution.result;
  if (execution.error === undefined) delete task.error;
  else task.error = execution.error;
  if (execution.executionStartTime === undefined) delete task.executionStartTime;
  else task.executionStartTime = execution.executionStartTime;
  if (execution.executionEndTime === undefined) delete task.executionEndTime;
  else task.executionEndTime = execution.executionEndTime;
  return task;
}
