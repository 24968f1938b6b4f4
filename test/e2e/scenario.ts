/** One orchestration in virtual time: bus, optional synchronizer, scripted agent, orchestrator. */
import { map, timer } from "rxjs";
import type { TestScheduler } from "rxjs/testing";
import { createScriptedAgent, type AgentEdit, type AgentLatency } from "../../src/agent/index.js";
import { createEventBus } from "../../src/bus.js";
import type { OrionEvent, OrionModifiedEvent } from "../../src/events.js";
import { orchestrateOrion } from "../../src/orchestrator/orchestrateOrion.js";
import type { OrchestrationResult } from "../../src/orchestrator/types.js";
import type { TaskOrion } from "../../src/orion/types.js";
import { OrionModificationSynchronizer } from "../../src/synchronizer.js";
import { virtualTime } from "../../testing/index.js";

export interface ScenarioOptions {
  readonly plan: TaskOrion;
  readonly withSync: boolean;
  /** Omit for no agent at all (nobody ever answers). */
  readonly agent?: { readonly latency: AgentLatency; readonly edit?: AgentEdit };
  readonly duration?: (taskId: string) => number;
  readonly modificationTimeout?: number;
  /** With the synchronizer: wait at its gate (default) or only merge its orion. */
  readonly gate?: boolean;
}

export interface ScenarioRun {
  readonly result: OrchestrationResult;
  readonly events: readonly OrionEvent[];
  readonly modifications: readonly OrionModifiedEvent[];
  readonly scheduler: TestScheduler;
}

export function runScenario(options: ScenarioOptions): ScenarioRun {
  const { scheduler } = virtualTime();
  const bus = createEventBus();
  const events: OrionEvent[] = [];
  bus.subscribe({ onEvent: (e) => events.push(e) });
  const synchronizer = options.withSync
    ? new OrionModificationSynchronizer({
        scheduler,
        ...(options.modificationTimeout === undefined
          ? {}
          : { modificationTimeout: options.modificationTimeout }),
      })
    : undefined;
  if (synchronizer) bus.subscribe(synchronizer);
  const modifications: OrionModifiedEvent[] = [];
  const agent = options.agent
    ? createScriptedAgent(bus, {
        scheduler,
        latency: options.agent.latency,
        ...(options.agent.edit ? { edit: options.agent.edit } : {}),
      })
    : undefined;
  agent?.modifications$.subscribe((m) => modifications.push(m));
  let result: OrchestrationResult | undefined;
  let failure: { error: unknown } | undefined;
  orchestrateOrion(options.plan, {
    bus,
    scheduler,
    synchronizer,
    ...(options.gate === undefined ? {} : { gate: options.gate }),
    executeTask: (task) => {
      const ms = options.duration?.(task.id) ?? 10;
      // 0: an instant task, completing synchronously inside the orchestrator's start.
      return ms === 0 ? `${task.id}:ok` : timer(ms, scheduler).pipe(map(() => `${task.id}:ok`));
    },
  }).subscribe({
    next: (p) => {
      if (p.kind === "finished") result = p.result;
    },
    error: (e: unknown) => (failure = { error: e }),
  });
  scheduler.flush();
  if (failure) throw failure.error;
  agent?.stop();
  synchronizer?.dispose();
  if (result === undefined) throw new Error("the orchestration did not finish");
  return { result, events, modifications, scheduler };
}
