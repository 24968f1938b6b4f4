import type { AgentOrionChange } from "../OrionRun.js";
import type { TaskOrion } from "../types.js";

/** What an agent's helper knows it changed: `next` is `from` with these keys changed. */
interface Note {
  readonly from: TaskOrion;
  readonly tasks: readonly string[];
  readonly dependencies: readonly string[];
}

/** Weak: a note lives as long as the orion it describes, and costs nothing to the caller. */
const notes = new WeakMap<TaskOrion, Note>();

/** How many notes `agentOrionChange` follows back before giving up (then the run compares). */
const MAX_CHAIN = 64;

/**
 * Notes that `next` differs from `from` only in these task and dependency ids, so that whoever
 * merges `next` after `from` (the orchestrator's `OrionRun`) need not compare the whole orion.
 * The caller must list every changed key. @internal
 */
export function noteOrionChange(
  next: TaskOrion,
  from: TaskOrion,
  change: { readonly tasks?: readonly string[]; readonly dependencies?: readonly string[] },
): void {
  if (next === from) return;
  notes.set(next, { from, tasks: change.tasks ?? [], dependencies: change.dependencies ?? [] });
  // `agentOrionChange` follows at most MAX_CHAIN notes, so the orion that many steps back needs
  // no note of its own: cutting it keeps at most that many orions reachable from the newest,
  // however long the orchestrator goes without merging (a concurrent agent answering while the
  // gate holds kept thousands alive).
  let at: TaskOrion | undefined = from;
  for (let step = 1; step < MAX_CHAIN && at !== undefined; step++) at = notes.get(at)?.from;
  if (at !== undefined) notes.delete(at);
}

/**
 * The keys `next` changed since `previous`, from the notes along the way (several agent orions
 * may have arrived between two merges), or `undefined` when they do not lead to `previous`.
 * @internal
 */
export function agentOrionChange(
  next: TaskOrion,
  previous: TaskOrion | undefined,
): AgentOrionChange | undefined {
  if (previous === undefined) return undefined;
  const tasks: string[] = [];
  const dependencies: string[] = [];
  let at = next;
  for (let step = 0; step < MAX_CHAIN && at !== previous; step++) {
    const note = notes.get(at);
    if (note === undefined) return undefined;
    tasks.push(...note.tasks);
    dependencies.push(...note.dependencies);
    at = note.from;
  }
  if (at !== previous) return undefined;
  // The caller merges `next` now, and the next merge starts from `next`: nothing will walk past
  // `previous` again. Its note would keep every earlier orion (each with its whole task record)
  // reachable from the newest one: a run of 100,000 tasks ran out of memory that way.
  notes.delete(previous);
  return { tasks, dependencies };
}

/** Records built from another by replacing some keys' values (no key added or removed). */
const derived = new WeakMap<object, { readonly from: object; readonly keys: readonly string[] }>();

/**
 * Notes that the frozen record `next` has exactly `from`'s keys, with only `keys` holding other
 * values: a check of `from`'s values then needs to look at `keys` only. @internal
 */
export function noteRecordDerived(next: object, from: object, keys: readonly string[]): void {
  derived.set(next, { from, keys });
}

/** What `noteRecordDerived` noted about `record`. @internal */
export function recordDerivation(
  record: object,
): { readonly from: object; readonly keys: readonly string[] } | undefined {
  return derived.get(record);
}
