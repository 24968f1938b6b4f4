/**
 * The synchronizer used the spec's way, imperatively: an orchestrator object with
 * `setModificationSynchronizer`, the synchronizer subscribed to the bus as an observer,
 * and a (scripted) agent that edits the orion after each completion. Real time, about
 * half a second. Run it: `npm run example:facade`. Exits with code 1 on a stale start.
 */
import { produce } from "immer";
import {
  createEventBus,
  createOrchestrator,
  createScriptedAgent,
  OrionModificationSynchronizer,
  orion,
} from "../src/index.js";

const plan = orion("report")
  .task("fetch", { params: { source: "sales.csv" } })
  .task("analyse", { after: "fetch", params: { model: "draft" } })
  .task("publish", { after: "analyse" })
  .build();

const bus = createEventBus();
const orchestrator = createOrchestrator({
  bus,
  executeTask: (task) => new Promise((resolve) => setTimeout(() => resolve(`${task.id} done`), 50)),
});

// As in the spec: create, subscribe to the bus, attach to the orchestrator.
const synchronizer = new OrionModificationSynchronizer({
  orchestrator,
  logger: { ...console, debug: () => undefined },
  modificationTimeout: 5_000,
});
bus.subscribe(synchronizer);
orchestrator.setModificationSynchronizer(synchronizer);

// The agent takes 200 ms to think after each completion; after `fetch` it picks a model.
const agent = createScriptedAgent(bus, {
  latency: 200,
  edit: (event, current) =>
    event.taskId === "fetch" && current
      ? produce(current, (draft) => {
          const analyse = draft.tasks["analyse"];
          if (analyse) analyse.params = { model: "final" };
        })
      : undefined,
});

const result = await orchestrator.run(plan);
agent.stop();
synchronizer.dispose();

for (const timing of result.timings) {
  console.log(
    `${timing.taskId.padEnd(8)} started at ${String(timing.startedAt - result.startedAt).padStart(4)} ms with ${JSON.stringify(timing.definition.params)}`,
  );
}
const stats = result.statistics;
console.log(
  `${result.outcome}; held at the gate ${result.heldMs} ms; modifications: ${stats?.completedModifications ?? 0} completed, ${stats?.timeoutModifications ?? 0} timed out`,
);
const analyse = result.timings.find((t) => t.taskId === "analyse");
const stale = analyse?.definition.params["model"] !== "final";
console.log(
  stale ? "STALE: analyse ran with the draft model" : "analyse ran with the agent's model",
);
process.exitCode = stale ? 1 : 0;
