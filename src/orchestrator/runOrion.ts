import { filter, lastValueFrom, map } from "rxjs";
import type { TaskOrion } from "../orion/types.js";
import { orchestrateOrion } from "./orchestrateOrion.js";
import type { OrchestrateOptions, OrchestrationResult } from "./types.js";

/** {@link orchestrateOrion} as a promise of its result. */
export function runOrion(
  orion: TaskOrion,
  options: OrchestrateOptions,
): Promise<OrchestrationResult> {
  return lastValueFrom(
    orchestrateOrion(orion, options).pipe(
      filter((p) => p.kind === "finished"),
      map((p) => p.result),
    ),
  );
}
