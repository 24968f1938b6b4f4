/**
 * The `pending` map of a state: a read-only view of the entries of its `records` map
 * whose phase is `pending`, with the count kept by the fold. O(1) to create, get and size;
 * iteration walks the records.
 */
import type { PersistentMap } from "../internal/PersistentMap.js";
import type { PendingEntry, PendingKey, TaskRecord } from "./PendingState.js";

/** See the module comment. */
export class PendingView implements ReadonlyMap<PendingKey, PendingEntry> {
  /**
   * @param records - every record of the state
   * @param size - how many of them are pending
   */
  constructor(
    private readonly records: PersistentMap<PendingKey, TaskRecord>,
    readonly size: number,
  ) {}

  /** The pending entry for `key`, if its task has one. */
  get(key: PendingKey): PendingEntry | undefined {
    const record = this.records.get(key);
    return record !== undefined && record.phase === "pending" ? record : undefined;
  }

  /** Whether `key`'s task has a pending modification. */
  has(key: PendingKey): boolean {
    return this.get(key) !== undefined;
  }

  /** The pending entries. */
  entries(): MapIterator<[PendingKey, PendingEntry]> {
    const out: [PendingKey, PendingEntry][] = [];
    if (this.size > 0) {
      for (const [key, record] of this.records)
        if (record.phase === "pending") out.push([key, record]);
    }
    return out.values();
  }

  /** The keys of the pending entries. */
  keys(): MapIterator<PendingKey> {
    return Array.from(this.entries(), ([key]) => key).values();
  }

  /** The pending entries. */
  values(): MapIterator<PendingEntry> {
    return Array.from(this.entries(), ([, entry]) => entry).values();
  }

  /** Calls `callback` for each pending entry. */
  forEach(
    callback: (
      value: PendingEntry,
      key: PendingKey,
      map: ReadonlyMap<PendingKey, PendingEntry>,
    ) => void,
    thisArg?: unknown,
  ): void {
    for (const [key, value] of this.entries()) callback.call(thisArg, value, key, this);
  }

  [Symbol.iterator](): MapIterator<[PendingKey, PendingEntry]> {
    return this.entries();
  }

  get [Symbol.toStringTag](): string {
    return "PendingView";
  }
}
