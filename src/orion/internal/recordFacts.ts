import { isDraft } from "immer";
import { createRecord } from "./createRecord.js";
import type { DependencyIndex } from "./dependencyIndex.js";

/**
 * Facts about a task record worth remembering, memoised per record object, but only for records
 * that cannot change: frozen and not an immer draft. A draft, or a plain record someone edits in
 * place, keeps its identity while its keys change, so a memo keyed by identity would go stale
 * (issue 13, item 8); for those every call works the facts out afresh. The library freezes the
 * task records it builds itself (never the task objects), so its own loops of transitions and
 * merges still find most facts known before they are needed.
 * @internal
 */
export interface RecordFacts {
  /** `Object.keys(record)`, which costs O(n log n) on large (dictionary-mode) objects. */
  keys?: readonly string[];
  /** How many tasks the record has. */
  keyCount?: number;
  /** An index all of whose edge ends are tasks of this record. */
  holdsEndpointsOf?: DependencyIndex;
  /**
   * Built and frozen by the library (`freezeNewRecord`): plain data properties only, so it
   * reads the same at any later time.
   */
  dataOnly?: true;
}

const memo = new WeakMap<object, RecordFacts>();

/**
 * Whether `record`'s keys and values can never change, so facts about them may be memoised.
 * `Object.isFrozen` walks a large frozen record (about 1 ms at 100,000 keys), so it is asked
 * once per record: a record frozen once stays frozen.
 * @internal
 */
export function isImmutableRecord(record: object): boolean {
  return !isDraft(record) && Object.isFrozen(record);
}

/**
 * The facts known about `record`, to read and to fill in. For a record that may still change,
 * a fresh object that nothing remembers: writing to it is harmless and is forgotten.
 * @internal
 */
export function recordFacts(record: object): RecordFacts {
  let facts = memo.get(record);
  if (facts === undefined) {
    facts = {};
    if (isImmutableRecord(record)) memo.set(record, facts);
  }
  return facts;
}

/** The facts remembered about `record`, without recording an empty entry. @internal */
export function knownRecordFacts(record: object): RecordFacts | undefined {
  return memo.get(record);
}

/**
 * Freezes a record the library has just built (and nobody else holds yet) and starts its facts,
 * without paying for `Object.isFrozen` later. Only the record is frozen, never its values:
 * those may still belong to the caller.
 * @internal
 */
export function freezeNewRecord<T extends object>(record: T): T {
  Object.freeze(record);
  const facts = memo.get(record);
  if (facts === undefined) memo.set(record, { dataOnly: true });
  else facts.dataOnly = true;
  return record;
}

/** `Object.keys(record)`, memoised when the record cannot change. @internal */
export function recordKeys(record: object): readonly string[] {
  const facts = recordFacts(record);
  if (facts.keys === undefined) {
    facts.keys = Object.keys(record);
    facts.keyCount = facts.keys.length;
  }
  return facts.keys;
}

/**
 * `record` when the library built it (`dataOnly`), or else a frozen copy of it read now, which
 * is: whoever keeps the result reads it later as it was now, even if the caller's record
 * changes or holds getters. @internal
 */
export function dataOnlyRecord<T>(record: { readonly [key: string]: T }): {
  readonly [key: string]: T;
} {
  if (memo.get(record)?.dataOnly === true) return record;
  const copy = createRecord<T>();
  for (const key of Object.keys(record)) copy[key] = record[key]!;
  return freezeNewRecord(copy);
}
