import { filter, lastValueFrom, map } from "rxjs";
import type { TaskOrion } from "../orion/types.js";
import { orchestrate } from "./orchestrateOrion.js";
import type { OrchestrateOptions, OrchestrationResult } from "./types.js";

/** `orchestrateOrion` as a promise of its result (no progress value is made per event). */
export function runOrion(
  orion: TaskOrion,
  options: OrchestrateOptions,
): Promise<OrchestrationResult> {
  return lastValueFrom(
    orchestrate(orion, options, { eventProgress: false }).pipe(
      filter((p) => p.kind === "finished"),
      map((p) => p.result),
    ),
  );
}
