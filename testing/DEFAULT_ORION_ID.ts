/**
 * The orion id the event factories use when none is given, and that {@link pendingIds} leaves
 * out of its output: most tests are about one orion, and `"o1"` keeps marble maps short.
 *
 * @example
 * taskCompleted("a").orionId; // "o1"
 * taskCompleted("a", "o2").orionId; // "o2"
 */
export const DEFAULT_ORION_ID = "o1";
