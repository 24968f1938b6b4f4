import type { OrionState } from "./types.js";

/** Every `OrionState`. */
export const orionStates: readonly OrionState[] = Object.freeze([
  "created",
  "ready",
  "executing",
  "completed",
  "failed",
  "partially_failed",
  "cancelled",
] as const);
