/**
 * The priority of a task that has none: 2, UFO's `TaskPriority.MEDIUM`. Priorities run from
 * 1 (LOW) to 4 (CRITICAL); among ready tasks, higher runs first.
 */
export const DEFAULT_PRIORITY = 2;
