import type { DefinitionField, MergeConflict } from "../mergeOrionStates.js";
import { statusLevel, isNotStarted } from "../taskStatus.js";
import type { Task } from "../types.js";
import { deepEqual } from "./deepEqual.js";
import { sameExecution, withExecution } from "./withExecution.js";

/**
 * One task in both orions, as `mergeOrionStates` merges it: the agent's definition unless the
 * orchestrator started the task, and the more advanced execution. Appends to `preserved` and
 * `conflicts` what it did. Shared by the whole-orion merge and `OrionRun.applyAgentOrion`.
 * @internal
 */
export function mergeTask(
  taskId: string,
  agentTask: Task,
  orchestratorTask: Task,
  preserved: string[],
  conflicts: MergeConflict[],
): Task {
  let definition = agentTask;
  let changed: DefinitionField[] | undefined;
  if (!isNotStarted(orchestratorTask.status)) {
    changed = changedDefinitionFields(agentTask, orchestratorTask);
    if (changed.length > 0) {
      conflicts.push({ kind: "definition_changed", taskId, fields: changed });
      definition = orchestratorTask;
    }
  }
  let execution = agentTask;
  const agentLevel = statusLevel(agentTask.status);
  const orchestratorLevel = statusLevel(orchestratorTask.status);
  if (orchestratorLevel >= agentLevel && !sameExecution(agentTask, orchestratorTask)) {
    execution = orchestratorTask;
    preserved.push(taskId);
    if (
      agentLevel === 3 &&
      orchestratorLevel === 3 &&
      agentTask.status !== orchestratorTask.status
    ) {
      conflicts.push({
        kind: "execution_state_differs",
        taskId,
        agentStatus: agentTask.status,
        orchestratorStatus: orchestratorTask.status,
      });
    }
  }
  if (definition === execution) return definition;
  // The orchestrator's execution with an identical definition: share its task object.
  if (execution === orchestratorTask) {
    changed ??= changedDefinitionFields(agentTask, orchestratorTask);
    if (changed.length === 0) return orchestratorTask;
  }
  return withExecution(definition, execution);
}

function changedDefinitionFields(agentTask: Task, orchestratorTask: Task): DefinitionField[] {
  const fields: DefinitionField[] = [];
  if (agentTask.name !== orchestratorTask.name) fields.push("name");
  if (agentTask.description !== orchestratorTask.description) fields.push("description");
  if (agentTask.priority !== orchestratorTask.priority) fields.push("priority");
  if (agentTask.deviceType !== orchestratorTask.deviceType) fields.push("deviceType");
  if (agentTask.targetDeviceId !== orchestratorTask.targetDeviceId) fields.push("targetDeviceId");
  if (!deepEqual(agentTask.params, orchestratorTask.params)) fields.push("params");
  if (!deepEqual(agentTask.extra, orchestratorTask.extra)) fields.push("extra");
  return fields;
}
