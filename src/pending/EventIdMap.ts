/**
 * The fold's memory of event ids (`PendingState.events`): a persistent map from an orion and an
 * event id to what the fold remembers of that event.
 *
 * It is keyed by the event id alone, the event's own string, which V8 hashes once and keeps
 * alive anyway; not by `eventKey(orionId, eventId)`, which built, flattened and hashed a new
 * string for every lookup and every id remembered, three or four times per task: about 5% of
 * a synced task's instructions, and a quarter of what the fold keeps alive per id (144 → 110
 * bytes with the orchestrator's ids; issue 15).
 * Ids are unique within an orion, not across orions (runs given the same `runId` number their
 * events alike): an id several orions used holds each one's record in a persistent map of its
 * own, by orion, so that a write costs O(1) however many orions share the id.
 *
 * As a `ReadonlyMap` it is keyed by `eventKey`, as the state has always exposed it.
 */
import { PersistentMap } from "../internal/PersistentMap.js";
import { ReadonlyMapBase } from "../internal/ReadonlyMapBase.js";
import { eventKey, parsePendingKey, type PendingKey } from "./keys.js";
import type { EventRecord } from "./PendingState.js";

/** What a shared slot has where a record has its orion's id: equal to no id, not even `undefined`. */
const SHARED: unique symbol = Symbol("shared");

/** The records of one event id that several orions used, by orion. */
class SharedId {
  readonly orionId = SHARED;
  constructor(readonly byOrion: PersistentMap<string, EventRecord>) {}
}

type Slot = EventRecord | SharedId;

/** See the module comment. Create one with {@link EventIdMap.empty}. */
export class EventIdMap extends ReadonlyMapBase<PendingKey, EventRecord> {
  /** No event remembered. */
  static empty(): EventIdMap {
    return new EventIdMap(PersistentMap.empty(), 0);
  }

  private constructor(
    private readonly slots: PersistentMap<string, Slot>,
    /** How many records (orion and event id pairs) this version holds. */
    readonly size: number,
  ) {
    super();
  }

  /** The record of event `eventId` of orion `orionId`. */
  find(orionId: string, eventId: string): EventRecord | undefined {
    const slot = this.slots.get(eventId);
    if (slot === undefined || slot.orionId === orionId) return slot as EventRecord | undefined;
    return slot instanceof SharedId ? slot.byOrion.get(orionId) : undefined;
  }

  /** A version with `record` as the record of `eventId` of `record.orionId`. */
  with(eventId: string, record: EventRecord): EventIdMap {
    const slot = this.slots.get(eventId);
    if (slot === undefined) return new EventIdMap(this.slots.set(eventId, record), this.size + 1);
    if (slot.orionId === record.orionId) {
      return new EventIdMap(this.slots.set(eventId, record), this.size);
    }
    const before =
      slot instanceof SharedId
        ? slot.byOrion
        : PersistentMap.empty<string, EventRecord>().set(slot.orionId, slot);
    const byOrion = before.set(record.orionId, record);
    const added = byOrion.size - before.size;
    return new EventIdMap(this.slots.set(eventId, new SharedId(byOrion)), this.size + added);
  }

  /** A version without the record of `eventId` of `orionId` (this one if it had none). */
  without(orionId: string, eventId: string): EventIdMap {
    const slot = this.slots.get(eventId);
    if (slot === undefined) return this;
    if (slot.orionId === orionId) {
      return new EventIdMap(this.slots.delete(eventId), this.size - 1);
    }
    if (!(slot instanceof SharedId)) return this;
    const byOrion = slot.byOrion.delete(orionId);
    if (byOrion === slot.byOrion) return this;
    // One orion left: its record takes the slot again (`values()` copies one entry).
    const rest =
      byOrion.size === 1 ? (byOrion.values().next().value as EventRecord) : new SharedId(byOrion);
    return new EventIdMap(this.slots.set(eventId, rest), this.size - 1);
  }

  /** The record for `key` (an `eventKey`); `undefined` for anything no `eventKey` made. */
  get(key: PendingKey): EventRecord | undefined {
    // A map's `get` never throws: any value a caller passes is just not a key here.
    if (typeof key !== "string") return undefined;
    const parsed = parsePendingKey(key);
    return parsed === undefined ? undefined : this.find(parsed.orionId, parsed.id);
  }

  /** This version's records by `eventKey`, in the order their ids were first remembered. */
  entries(): MapIterator<[PendingKey, EventRecord]> {
    const out: [PendingKey, EventRecord][] = [];
    for (const [eventId, slot] of this.slots) {
      if (slot instanceof SharedId) {
        for (const [orionId, record] of slot.byOrion)
          out.push([eventKey(orionId, eventId), record]);
      } else {
        out.push([eventKey(slot.orionId, eventId), slot]);
      }
    }
    return out.values();
  }

  get [Symbol.toStringTag](): string {
    return "EventIdMap";
  }
}
