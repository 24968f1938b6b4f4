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
  // `delete` only what the copy has: most transitions lack most of these fields, and asking is
  // cheaper than a `delete` of a missing key.
  if (execution.result !== undefined) task.result = execution.result;
  else if (Object.hasOwn(task, "result")) delete task.result;
  if (execution.error !== undefined) task.error = execution.error;
  else if (Object.hasOwn(task, "error")) delete task.error;
  if (execution.executionStartTime !== undefined) {
    task.executionStartTime = execution.executionStartTime;
  } else if (Object.hasOwn(task, "executionStartTime")) delete task.executionStartTime;
  if (execution.executionEndTime !== undefined) task.executionEndTime = execution.executionEndTime;
  else if (Object.hasOwn(task, "executionEndTime")) delete task.executionEndTime;
  return task;
}
