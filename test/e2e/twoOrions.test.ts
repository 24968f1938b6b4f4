/** Two orions on one bus and one synchronizer never take each other's structure. */
import { map, timer } from "rxjs";
import { describe, expect, it } from "vitest";
import { createScriptedAgent } from "../../src/agent/index.js";
import { createEventBus } from "../../src/bus.js";
import { orchestrateOrion } from "../../src/orchestrator/orchestrateOrion.js";
import type { OrchestrationResult } from "../../src/orchestrator/types.js";
import { orion } from "../../src/orion/orion.js";
import { OrionModificationSynchronizer } from "../../src/synchronizer.js";
import { virtualTime } from "../../testing/index.js";

describe("two orions, one synchronizer", () => {
  it("each orchestrator merges only its own orion's edits", () => {
    const { scheduler, flush } = virtualTime();
    const bus = createEventBus();
    const sync = new OrionModificationSynchronizer({ scheduler });
    bus.subscribe(sync);
    const agents = ["A", "B"].map((orionId) =>
      createScriptedAgent(bus, { scheduler, latency: 30, orionId, edit: (_e, current) => current }),
    );
    const results = new Map<string, OrchestrationResult>();
    for (const id of ["A", "B"]) {
      const plan = orion(id)
        .task(`${id}1`)
        .task(`${id}2`, { after: `${id}1` })
        .build();
      orchestrateOrion(plan, {
        bus,
        scheduler,
        synchronizer: sync,
        executeTask: () => timer(10, scheduler).pipe(map(() => null)),
      }).subscribe((p) => {
        if (p.kind === "finished") results.set(id, p.result);
      });
    }
    flush();
    for (const id of ["A", "B"]) {
      const result = results.get(id);
      expect(result?.orion.id).toBe(id);
      expect(Object.keys(result?.orion.tasks ?? {}).sort()).toEqual([`${id}1`, `${id}2`]);
      expect(result?.outcome).toBe("completed");
    }
    // Each orion's ORION_COMPLETED dropped its entry.
    expect(sync.getCurrentOrion("A")).toBeUndefined();
    agents.forEach((a) => a.stop());
    sync.dispose();
  });
});
