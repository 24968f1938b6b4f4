/**
 * Interop with Microsoft UFO's Galaxy TaskConstellation JSON.
 * @packageDocumentation
 */
export { fromUfoJson } from "./fromUfoJson.js";
export { toUfoJson } from "./toUfoJson.js";
export type { UfoDependencyJson, UfoOrionJson, UfoTaskJson } from "./types.js";
export { UfoFormatError } from "./UfoFormatError.js";
