/**
 * The orion: a task DAG as plain, JSON-serialisable, deeply read-only data.
 *
 * No classes: an orion can be logged, diffed, stored, sent over a wire and produced with
 * immer without losing anything. The functions over it live beside it, one concept per file.
 */

import type { DependencyType } from "./dependencyType.js";
import type { OrionState } from "./orionState.js";
import type { TaskStatus } from "./taskStatus.js";

// Each of these is derived from its `const` list, in the file of its concept.
export type { DependencyType, OrionState, TaskStatus };

/** Any JSON value, read-only all the way down. */
export type JsonValue =
  null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** One unit of work in an orion. */
export interface Task {
  /** Unique in its orion; the key of `TaskOrion.tasks`. */
  readonly id: string;
  /** A display name. */
  readonly name: string;
  /** What the task does, for people and agents. */
  readonly description?: string;
  /** Where it is in its run. */
  readonly status: TaskStatus;
  /** 1 (low) to 4 (critical), as UFO's `TaskPriority`. Higher runs first among ready tasks. */
  readonly priority?: number;
  /** The kind of device that runs it (UFO's `device_type`). */
  readonly deviceType?: string;
  /** The device that runs it (UFO's `target_device_id`). */
  readonly targetDeviceId?: string;
  /** The task's data: what the agent edits and what the executor receives. */
  readonly params: { readonly [key: string]: JsonValue };
  /** What it returned, once completed. */
  readonly result?: JsonValue;
  /** Why it failed, once failed. */
  readonly error?: JsonValue;
  /** Epoch milliseconds (or virtual-time milliseconds under a TestScheduler). */
  readonly executionStartTime?: number;
  /** When it ended, on the same clock as `executionStartTime`. */
  readonly executionEndTime?: number;
  /** Fields of UFO's task that have no first-class place here (tips, timeout, retries...). */
  readonly extra?: { readonly [key: string]: JsonValue };
}

/** A dependency edge: `toTaskId` waits for `fromTaskId`. */
export interface Dependency {
  /** Unique in its orion; the key of `TaskOrion.dependencies`. */
  readonly id: string;
  /** The task waited for. */
  readonly fromTaskId: string;
  /** The task that waits. */
  readonly toTaskId: string;
  /** Which outcomes of `fromTaskId` satisfy it. */
  readonly type: DependencyType;
  /** A human-readable condition (UFO's `condition_description`). */
  readonly condition?: string;
  /** Fields of UFO's dependency that have no first-class place here (metadata, evaluation times...). */
  readonly extra?: { readonly [key: string]: JsonValue };
}

/** A task DAG with its execution state. */
export interface TaskOrion {
  /** The orion's id: events name it in `orionId`. */
  readonly id: string;
  /** A display name. */
  readonly name?: string;
  /** Derived from the tasks by `deriveOrionState`; kept up to date by the model's functions. */
  readonly state: OrionState;
  /** The tasks, by id. */
  readonly tasks: { readonly [taskId: string]: Task };
  /** The dependency edges, by id. */
  readonly dependencies: { readonly [dependencyId: string]: Dependency };
  /** Free-form data about the orion. */
  readonly metadata?: { readonly [key: string]: JsonValue };
  /** Fields of UFO's constellation that have no first-class place here (timestamps...). */
  readonly extra?: { readonly [key: string]: JsonValue };
}
