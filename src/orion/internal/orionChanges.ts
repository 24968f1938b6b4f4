import type { AgentOrionChange } from "../OrionRun.js";
import type { TaskOrion } from "../types.js";

/**
 * What an agent's helper knows it changed: the orion it describes is the orion with token
 * `fromToken` with these keys changed. Notes link to notes, never to orions: an answer the
 * orchestrator has not merged yet costs its keys, not its orion (a concurrent agent answering
 * while the gate held once kept thousands of orions alive through their notes).
 */
interface Note {
  readonly fromToken: number;
  /** The note of that orion when this one was made; cut once a merge has gone past it. */
  fromNote: Note | undefined;
  readonly tasks: readonly string[];
  readonly dependencies: readonly string[];
}

/** Weak: a note lives as long as the orion it describes, and costs nothing to the caller. */
const notes = new WeakMap<TaskOrion, Note>();

/** A number per orion a note starts from, so that a note can name it without holding it. */
const tokens = new WeakMap<TaskOrion, number>();
let lastToken = 0;

function tokenOf(orion: TaskOrion): number {
  let token = tokens.get(orion);
  if (token === undefined) {
    token = ++lastToken;
    tokens.set(orion, token);
  }
  return token;
}

/** How many notes `agentOrionChange` follows back before giving up (then the run compares). */
const MAX_CHAIN = 64;

/**
 * Notes that `next` differs from `from` only in these task and dependency ids, so that whoever
 * merges `next` after `from` (the orchestrator's `OrionRun`) need not compare the whole orion.
 * The caller must list every changed key, and note `from` (if at all) before `next`. @internal
 */
export function noteOrionChange(
  next: TaskOrion,
  from: TaskOrion,
  change: { readonly tasks?: readonly string[]; readonly dependencies?: readonly string[] },
): void {
  if (next === from) return;
  notes.set(next, {
    fromToken: tokenOf(from),
    fromNote: notes.get(from),
    tasks: change.tasks ?? [],
    dependencies: change.dependencies ?? [],
  });
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
  if (next === previous) return { tasks: [], dependencies: [] };
  const target = tokens.get(previous);
  if (target === undefined) return undefined; // no note starts from `previous`
  const tasks: string[] = [];
  const dependencies: string[] = [];
  let note = notes.get(next);
  for (let step = 0; step < MAX_CHAIN && note !== undefined; step++) {
    tasks.push(...note.tasks);
    dependencies.push(...note.dependencies);
    if (note.fromToken === target) {
      // The caller merges `next` now, and its next merge starts from `next`: nothing of ours
      // walks past `previous` again, so the notes behind it can go.
      const before = notes.get(previous);
      if (before !== undefined) before.fromNote = undefined;
      return { tasks, dependencies };
    }
    note = note.fromNote;
  }
  return undefined;
}
