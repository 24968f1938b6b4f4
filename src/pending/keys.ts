/**
 * The keys of the fold's per-task and per-event maps, as the state exposes them: one string
 * per orion and task (or event id), injective whatever characters the ids contain.
 */

/** The key of a pending modification: one orion's task. Make one with {@link pendingKey}. */
export type PendingKey = string & {
  /** A brand: only {@link pendingKey} makes one. Not present at run time. */
  readonly __pendingKey: true;
};

/**
 * The key of `taskId` in `orionId`. Injective (length-prefixed), so ids may contain any
 * character.
 */
export function pendingKey(orionId: string, taskId: string): PendingKey {
  for (let i = 0; i < KEY_MEMO_SIZE; i++) {
    if (memoIds[i] === taskId && memoOrions[i] === orionId) return memoKeys[i]!;
  }
  const key = `${orionId.length}:${orionId}/${taskId}` as PendingKey;
  memoOrions[memoNext] = orionId;
  memoIds[memoNext] = taskId;
  memoKeys[memoNext] = key;
  memoNext = (memoNext + 1) % KEY_MEMO_SIZE;
  return key;
}

/**
 * The last few keys made, to hand out the same string again: one event looks up the same few
 * keys several times, and a map hashes a string once, whereas each new string of the same
 * text is hashed anew (measured: about 170 ns a lookup with a fresh key on a map of 65,536
 * keys, 46 ns with one already hashed).
 */
const KEY_MEMO_SIZE = 4;
const memoOrions: (string | undefined)[] = new Array<string | undefined>(KEY_MEMO_SIZE);
const memoIds: (string | undefined)[] = new Array<string | undefined>(KEY_MEMO_SIZE);
const memoKeys: PendingKey[] = [];
let memoNext = 0;

/** The key of event `eventId` of orion `orionId` in `PendingState.events`. */
export function eventKey(orionId: string, eventId: string): PendingKey {
  return pendingKey(orionId, eventId);
}

/**
 * The orion and the task (or event) id of a key {@link pendingKey} made; `undefined` for any
 * other string.
 */
export function parsePendingKey(
  key: string,
): { readonly orionId: string; readonly id: string } | undefined {
  const colon = key.indexOf(":");
  const prefix = key.slice(0, colon);
  const length = Number(prefix);
  // Only the canonical prefix (`String(length)`): "01:..." or " 1:..." were never made here.
  if (colon <= 0 || String(length) !== prefix) return undefined;
  const slash = colon + 1 + length;
  if (slash >= key.length || key[slash] !== "/") return undefined;
  return { orionId: key.slice(colon + 1, slash), id: key.slice(slash + 1) };
}
