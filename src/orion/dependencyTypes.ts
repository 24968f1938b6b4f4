import type { DependencyType } from "./types.js";

/** Every `DependencyType`. */
export const dependencyTypes: readonly DependencyType[] = Object.freeze([
  "unconditional",
  "success_only",
  "completion_only",
  "conditional",
] as const);
