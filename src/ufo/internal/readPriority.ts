import { DEFAULT_PRIORITY } from "../../orion/DEFAULT_PRIORITY.js";
import { UfoFormatError } from "../UfoFormatError.js";
import { describeValue } from "./jsonPath.js";

const names: { readonly [name: string]: number } = { LOW: 1, MEDIUM: 2, HIGH: 3, CRITICAL: 4 };

/**
 * A UFO `TaskPriority`: the integer UFO writes (1 LOW to 4 CRITICAL) or the name its example
 * files use (`HIGH`, also accepted in lower case). `null` or missing is MEDIUM.
 * @internal
 */
export function readPriority(value: unknown, path: string): number {
  if (value === undefined || value === null) return DEFAULT_PRIORITY;
  if (typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= 4) {
    return value;
  }
  if (typeof value === "string") {
    const upper = value.toUpperCase();
    if ((value === upper || value === value.toLowerCase()) && Object.hasOwn(names, upper)) {
      return names[upper]!;
    }
  }
  throw new UfoFormatError(
    path,
    `expected a priority 1-4 or one of "LOW", "MEDIUM", "HIGH", "CRITICAL", got ${describeValue(value)}`,
  );
}
