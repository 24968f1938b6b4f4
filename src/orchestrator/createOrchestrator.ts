import type { Observable } from "rxjs";
import type { TaskOrion } from "../orion/types.js";
import type { OrionModificationSynchronizer } from "../synchronizer.js";
import { orchestrateOrion } from "./orchestrateOrion.js";
import { runOrion } from "./runOrion.js";
import type { OrchestrateOptions, OrchestrationProgress, OrchestrationResult } from "./types.js";

/** An orchestrator object in the spec's shape: attach a synchronizer, then run orions. */
export interface Orchestrator {
  /** As in the spec: the synchronizer every later run waits for. */
  setModificationSynchronizer(synchronizer: OrionModificationSynchronizer | undefined): void;
  /** The attached synchronizer. */
  getModificationSynchronizer(): OrionModificationSynchronizer | undefined;
  /** {@link orchestrateOrion} with this orchestrator's options and synchronizer. */
  orchestrate(orion: TaskOrion): Observable<OrchestrationProgress>;
  /** {@link runOrion} with this orchestrator's options and synchronizer. */
  run(orion: TaskOrion): Promise<OrchestrationResult>;
}

/**
 * Creates an {@link Orchestrator}: the spec's
 * `orchestrator.set_modification_synchronizer(synchronizer)` pattern over
 * {@link orchestrateOrion}.
 */
export function createOrchestrator(
  options: Omit<OrchestrateOptions, "synchronizer">,
): Orchestrator {
  let synchronizer: OrionModificationSynchronizer | undefined;
  const withSync = (): OrchestrateOptions => ({ ...options, synchronizer });
  return {
    setModificationSynchronizer: (s) => {
      synchronizer = s;
    },
    getModificationSynchronizer: () => synchronizer,
    orchestrate: (orion) => orchestrateOrion(orion, withSync()),
    run: (orion) => runOrion(orion, withSync()),
  };
}
