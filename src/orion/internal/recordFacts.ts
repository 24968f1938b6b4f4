import type { DependencyIndex } from "./dependencyIndex.js";

/**
 * Facts about a task record worth remembering, memoised per record object (records are
 * immutable: a changed record is a new object). The producers hand them on to the record they
 * make when its keys stay the same, and the merge records what it learns, so in a loop of
 * transitions and merges most facts are known before they are needed.
 * @internal
 */
export interface RecordFacts {
  /** `Object.keys(record)`, which costs O(n log n) on large (dictionary-mode) objects. */
  keys?: readonly string[];
  /** How many tasks the record has. */
  keyCount?: number;
  /** An index all of whose edge ends are tasks of this record. */
  holdsEndpointsOf?: DependencyIndex;
}

const memo = new WeakMap<object, RecordFacts>();

/** The (mutable) facts known about `record`. @internal */
export function recordFacts(record: object): RecordFacts {
  let facts = memo.get(record);
  if (facts === undefined) {
    facts = {};
    memo.set(record, facts);
  }
  return facts;
}

/** The facts known about `record`, without recording an empty entry. @internal */
export function knownRecordFacts(record: object): RecordFacts | undefined {
  return memo.get(record);
}

/** `Object.keys(record)`, memoised. @internal */
export function recordKeys(record: object): readonly string[] {
  const facts = recordFacts(record);
  if (facts.keys === undefined) {
    facts.keys = Object.keys(record);
    facts.keyCount = facts.keys.length;
  }
  return facts.keys;
}
