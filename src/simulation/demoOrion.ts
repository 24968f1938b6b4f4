/** The built-in example of `orion-sync demo`: a small data pipeline and an agent that edits it. */
import type { AgentEdit } from "../agent/createScriptedAgent.js";
import { immer } from "../immer.js";
import { orion } from "../orion/orion.js";
import type { TaskOrion } from "../orion/types.js";
import { markDependents, type MsRange } from "./simulate.js";

/** The task whose completion makes the demo agent restructure the orion. */
export const DEMO_TRIGGER_TASK = "clean_customers";
/** The task the demo agent inserts (after {@link DEMO_TRIGGER_TASK}). */
export const DEMO_INSERTED_TASK = "dedupe_customers";
/** The task the demo agent rewires to also wait for {@link DEMO_INSERTED_TASK}. */
export const DEMO_REWIRED_TASK = "join";
/** The dependent whose params the demo agent changes. */
export const DEMO_EDITED_TASK = "segment";

/** Defaults of `orion-sync demo` (and of `simulate` on the command line). */
export const DEMO_DEFAULTS: {
  readonly seed: number;
  readonly agentLatency: MsRange;
  readonly taskDuration: MsRange;
} = { seed: 42, agentLatency: [20, 60], taskDuration: [10, 50] };

/**
 * Ten tasks over four levels:
 *
 * ```text
 * fetch_orders ──── clean_orders ───────┐
 *                                       join ──┬─ report
 * fetch_customers ┬ clean_customers ──┬─┘      └─ dashboard
 *                 │                   segment ─┬─ report
 *                 └ geo_lookup ───────┘        └─ archive
 * ```
 */
export function demoOrion(): TaskOrion {
  return orion("demo", { name: "Customer analytics (demo)" })
    .task("fetch_orders", { priority: 3, params: { source: "orders_db", since: "2026-01-01" } })
    .task("fetch_customers", { priority: 3, params: { source: "crm" } })
    .task("clean_orders", { after: "fetch_orders", params: { dropCancelled: true } })
    .task("clean_customers", { after: "fetch_customers", params: { normalizeEmails: true } })
    .task("geo_lookup", { after: "fetch_customers", params: { provider: "geo-v1" } })
    .task("join", { after: ["clean_orders", "clean_customers"], params: { on: "customer_id" } })
    .task("segment", { after: ["clean_customers", "geo_lookup"], params: { segments: 4 } })
    .task("report", { after: ["join", "segment"], params: { format: "pdf" } })
    .task("dashboard", { after: "join", params: { refresh: "hourly" } })
    .task("archive", { after: "segment", params: { bucket: "cold" } })
    .build();
}

/**
 * The demo agent: after `clean_customers` completes it sets `segment`'s `segments` to 8,
 * inserts `dedupe_customers` after `clean_customers`, and rewires `join` to also wait for it; on every completion
 * it marks the dependents ({@link markDependents}), including the inserted task.
 */
export const demoEdit: AgentEdit = (event, current) => {
  if (current === undefined) return undefined;
  let next = current;
  if (event.taskId === DEMO_TRIGGER_TASK && event.type === "TASK_COMPLETED") {
    next = immer.produce(current, (draft) => {
      const edited = draft.tasks[DEMO_EDITED_TASK];
      if (edited && edited.status === "pending") {
        edited.params = { ...edited.params, segments: 8 };
      }
      const rewired = draft.tasks[DEMO_REWIRED_TASK];
      if (draft.tasks[DEMO_INSERTED_TASK] !== undefined) return;
      draft.tasks[DEMO_INSERTED_TASK] = {
        id: DEMO_INSERTED_TASK,
        name: DEMO_INSERTED_TASK,
        status: "pending",
        params: { strategy: "email+phone" },
      };
      const inserted = `${DEMO_TRIGGER_TASK}->${DEMO_INSERTED_TASK}`;
      draft.dependencies[inserted] = {
        id: inserted,
        fromTaskId: DEMO_TRIGGER_TASK,
        toTaskId: DEMO_INSERTED_TASK,
        type: "success_only",
      };
      if (rewired && rewired.status === "pending") {
        const rewire = `${DEMO_INSERTED_TASK}->${DEMO_REWIRED_TASK}`;
        draft.dependencies[rewire] = {
          id: rewire,
          fromTaskId: DEMO_INSERTED_TASK,
          toTaskId: DEMO_REWIRED_TASK,
          type: "success_only",
        };
      }
    });
  }
  return markDependents(event, next) ?? next;
};
