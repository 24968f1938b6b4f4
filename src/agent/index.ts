/**
 * A scripted agent: answers task completions with `ORION_MODIFIED` after a latency, batching
 * like UFO's agent. For tests, demos and benchmarks.
 * @packageDocumentation
 */
export {
  createScriptedAgent,
  type AgentBus,
  type AgentDeclare,
  type AgentEdit,
  type AgentLatency,
  type ScriptedAgent,
  type ScriptedAgentOptions,
} from "./createScriptedAgent.js";
