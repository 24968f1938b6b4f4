/**
 * Producing an orion with a new task record and its state derived again: `replaceTasks` from
 * entries, `withTasks` from a record the caller built (the merge). Both keep what is known about
 * the old record (its keys, its count) so that nothing downstream walks it again.
 */
import { castDraft } from "immer";
import { immer } from "../../immer.js";
import type { OrionState, Task, TaskOrion } from "../types.js";
import { countStatuses, countStatus, stateFromCounts } from "../orionState.js";
import { createRecord } from "./createRecord.js";
import { getOwn } from "../../internal/records.js";
import { freezeNewRecord, knownRecordFacts, recordFacts, recordKeys } from "./recordFacts.js";

/**
 * `orion` with some tasks replaced or added (by key) and its state derived again, produced with
 * the library's immer instance: untouched tasks stay the same objects, and with no entries and
 * an up-to-date state, `orion` itself comes back. O(tasks).
 *
 * The new task record is built here, key by key, and assigned to the draft, rather than letting
 * immer copy the old record: a large record is a V8 dictionary-mode object, and copying one
 * with a loop over its (memoised) keys is about three times faster than the spread or
 * `Object.assign` immer uses (2 ms against 6 ms for 10,000 tasks). The record is
 * null-prototype, so any id, `__proto__` included, is an ordinary key.
 * @param state - the state of the result, when the caller already knows it.
 * @internal
 */
export function replaceTasks(
  orion: TaskOrion,
  entries: readonly (readonly [string, Task])[],
  state: OrionState = stateAfter(orion, entries),
): TaskOrion {
  if (entries.length === 0) return withTasks(orion, undefined, state);
  const keys = recordKeys(orion.tasks);
  const tasks = createRecord<Task>();
  for (const key of keys) tasks[key] = orion.tasks[key]!;
  let added = 0;
  for (const [taskId, task] of entries) {
    if (!Object.hasOwn(tasks, taskId)) added++;
    tasks[taskId] = task;
  }
  return withTasks(orion, tasks, state, keys.length + added, added === 0 ? keys : undefined);
}

/**
 * Produces `orion` with a new task record (built by the caller from `orion.tasks`, keeping
 * every key it had, and held by nobody else) and `state`; with no new record and the same
 * state, `orion` itself. The new record is frozen (its task objects are not) and inherits what
 * is known about the old one.
 * @param keyCount - how many tasks the new record has.
 * @param sameKeys - the new record's keys, when they are exactly the old record's.
 * @internal
 */
export function withTasks(
  orion: TaskOrion,
  tasks: { [taskId: string]: Task } | undefined,
  state: OrionState,
  keyCount = 0,
  sameKeys?: readonly string[],
): TaskOrion {
  if (tasks !== undefined) {
    // Nobody else holds the new record yet: freezing it lets its facts be memoised safely.
    const facts = recordFacts(freezeNewRecord(tasks));
    facts.keyCount = keyCount;
    if (sameKeys !== undefined) facts.keys = sameKeys;
    const old = knownRecordFacts(orion.tasks);
    if (old?.holdsEndpointsOf !== undefined) facts.holdsEndpointsOf = old.holdsEndpointsOf; // keys only grew
  }
  return immer.produce(orion, (draft) => {
    if (tasks !== undefined) draft.tasks = castDraft(tasks);
    draft.state = state;
  });
}

function stateAfter(orion: TaskOrion, entries: readonly (readonly [string, Task])[]): OrionState {
  const counts = countStatuses(orion.tasks);
  for (const [taskId, task] of entries) {
    const previous = getOwn(orion.tasks, taskId);
    if (previous !== undefined) countStatus(counts, previous.status, -1);
    countStatus(counts, task.status, 1);
  }
  return stateFromCounts(counts);
}
