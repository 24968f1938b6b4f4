import { Immer } from "immer";

/**
 * The one immer instance orion-sync uses. Every producer in the library calls `immer.produce`,
 * never immer's global `produce`, so that our settings never leak into (or depend on) the
 * application's own use of immer.
 *
 * - `autoFreeze: false`: orions are large (the merge bench uses 10,000 tasks) and
 *   auto-freezing deep-freezes every object a producer assigns into the result, including task
 *   objects that still belong to the caller (the orchestrator's own orion). Freezing those would
 *   make code outside the library throw on writes it was allowed to make a moment earlier, and it
 *   costs time on the hot merge path. Immutability is a contract enforced by the deeply
 *   `readonly` types, not by `Object.freeze`.
 * - `useStrictIteration: false`: orions are plain JSON data with no non-enumerable or symbol
 *   keys, so the faster `Object.keys`-style iteration sees everything there is.
 * - `useStrictShallowCopy: false` (immer's default): plain data has no getters or descriptors
 *   worth copying, and copies keep the prototype (null-prototype records stay null-prototype).
 */
export const immer = new Immer({
  autoFreeze: false,
  useStrictIteration: false,
  useStrictShallowCopy: false,
});
