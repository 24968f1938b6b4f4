/**
 * The `pending` map of a state: a read-only view of the entries of its `records` map
 * whose phase is `pending`, with the count kept by the fold. O(1) to create, get and size;
 * iteration walks the records.
 */
import type { PersistentMap } from "../internal/PersistentMap.js";
import { ReadonlyMapBase } from "../internal/ReadonlyMapBase.js";
import type { PendingEntry, PendingKey, TaskRecord } from "./PendingState.js";

/** See the module comment. */
export class PendingView extends ReadonlyMapBase<PendingKey, PendingEntry> {
  /**
   * @param records - every record of the state
   * @param size - how many of them are pending
   */
  constructor(
    private readonly records: PersistentMap<PendingKey, TaskRecord>,
    readonly size: number,
  ) {
    super();
  }

  /** The pending entry for `key`, if its task has one. */
  get(key: PendingKey): PendingEntry | undefined {
    const record = this.records.get(key);
    return record !== undefined && record.phase === "pending" ? record : undefined;
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

  get [Symbol.toStringTag](): string {
    return "PendingView";
  }
}
