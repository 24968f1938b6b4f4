/**
 * Orions the library derives from another by replacing some of its tasks (the simulated agent's
 * edit), whose plain task record is built only when something reads `orion.tasks`.
 *
 * Why: copying a task record of 100,000 keys costs 45–100 ms in V8 however it is done, and the
 * simulated agent answers about a thousand times in a run of that size, while everything that
 * handles an answer in the library needs only the tasks it replaced: the synchronizer's event
 * check, the orchestrator's merge (by the change noted in `orionChanges`) and the agent's next
 * edit. So a derived orion keeps the plain record it descends from (`root`) and every task
 * replaced since, in a persistent map its descendants share; `taskIn` answers from them in O(1).
 *
 * `tasks` is an enumerable, non-configurable getter in the place of the record: spread, JSON,
 * `structuredClone` and immer read it like a data property and see a plain, frozen record with
 * the root's keys in the root's order. It is built once, then kept. Assigning `orion.tasks`
 * throws (in strict code), where a plain orion would take it: the library's orions are
 * read-only data either way.
 * @internal
 */
import { PersistentMap } from "../../internal/PersistentMap.js";
import type { Task, TaskOrion } from "../types.js";
import { createRecord } from "./createRecord.js";
import { getOwn } from "../../internal/records.js";
import { dataOnlyRecord, freezeNewRecord, recordFacts, recordKeys } from "./recordFacts.js";

type TaskRecord = { readonly [taskId: string]: Task };

/** Until the record is built: where its tasks come from. */
interface Source {
  /** The plain record the orion descends from; every key of the orion is one of its keys. */
  readonly root: TaskRecord;
  /** Every task replaced since `root`, the orion's own replacements included. */
  readonly replaced: PersistentMap<string, Task>;
}

interface Derivation {
  /** Dropped when the record is built: a built orion keeps no ancestor's record alive. */
  source: Source | undefined;
  /** The built record, once `tasks` was read. */
  built: TaskRecord | undefined;
  /** The orion derived from; dropped once `forgetParent` says it is no longer needed. */
  parent: TaskOrion | undefined;
  /** The parent's record, when it was a plain one (or built) at the derivation; as `parent`. */
  parentRecord: TaskRecord | undefined;
  /** This orion's own replacements (its ids are the keys `parent` differs in). */
  readonly own: ReadonlyMap<string, Task>;
}

const inspectCustom = Symbol.for("nodejs.util.inspect.custom");

/** A derived orion as Node's `inspect` shows it: as the plain orion it reads as. */
function inspectAsData(
  this: object,
  _depth: number,
  options: object,
  inspect: (value: unknown, options: object) => string,
): string {
  return inspect({ ...this }, options);
}

/** Keyed by the orion object: an entry can only be made here, so it cannot be forged. */
const derivations = new WeakMap<TaskOrion, Derivation>();

/**
 * `from` with the tasks in `replace` replaced, in O(replaced) whatever the orion's size. Every
 * id in `replace` must be a task of `from`: no task is added or removed.
 * @throws Error - for an id that is not a task of `from`; TypeError - for a task that is not an
 * object (library bugs, not bad input: the event check relies on both).
 */
export function deriveOrion(from: TaskOrion, replace: ReadonlyMap<string, Task>): TaskOrion {
  const inherited = derivations.get(from)?.source;
  // The root is read later, so it must be a record that cannot change: a copy, once per chain
  // of derivations, unless the library built it.
  const parentRecord = inherited === undefined ? dataOnlyRecord(from.tasks) : undefined;
  const root = inherited?.root ?? parentRecord!;
  let replaced = inherited?.replaced ?? PersistentMap.empty<string, Task>();
  for (const [taskId, task] of replace) {
    if (getOwn(root, taskId) === undefined) {
      throw new Error(`deriveOrion: ${JSON.stringify(taskId)} is not a task of ${from.id}`);
    }
    if (typeof task !== "object" || task === null) {
      throw new TypeError(`deriveOrion: task ${JSON.stringify(taskId)} is not an object`);
    }
    replaced = replaced.set(taskId, task);
  }
  const derivation: Derivation = {
    source: { root, replaced },
    built: undefined,
    parent: from,
    parentRecord,
    own: replace,
  };
  // The place of `tasks` in the key order is kept; the getter replaces the placeholder.
  const next = withoutTasks(from);
  Object.defineProperty(next, "tasks", {
    enumerable: true,
    configurable: false,
    get: () => (derivation.built ??= build(derivation)),
  });
  // Node's `inspect` (console.log) would print the getter as `[Getter]`: show the data.
  Object.defineProperty(next, inspectCustom, { value: inspectAsData });
  const orion = next as unknown as TaskOrion;
  derivations.set(orion, derivation);
  return orion;
}

/**
 * `orion`'s own enumerable fields, in order, with `tasks` kept as a key but `undefined`: what a
 * spread would copy, without reading (for a derived orion: building) its task record.
 */
export function withoutTasks(orion: TaskOrion): Record<string, unknown> {
  const fields = orion as unknown as Record<PropertyKey, unknown>;
  // A spread's keys (own, enumerable, symbols included, in its order); `fromEntries` defines
  // own properties as a spread does, so a `__proto__` key stays a key.
  return Object.fromEntries(
    Reflect.ownKeys(orion)
      .filter((key) => Object.prototype.propertyIsEnumerable.call(orion, key))
      .map((key) => [key, key === "tasks" ? undefined : fields[key]]),
  ) as Record<string, unknown>;
}

/**
 * The plain, frozen record of a derivation (the root's keys, in its order, with the
 * replacements), after which its source is let go.
 */
function build(derivation: Derivation): TaskRecord {
  const { root, replaced } = derivation.source!;
  derivation.source = undefined;
  const keys = recordKeys(root);
  const record = createRecord<Task>();
  for (const key of keys) record[key] = replaced.get(key) ?? root[key]!;
  const facts = recordFacts(freezeNewRecord(record));
  facts.keys = keys;
  facts.keyCount = keys.length;
  return record;
}

/** `orion`'s task `taskId`, without building a derived orion's record. O(1). */
export function taskIn(orion: TaskOrion, taskId: string): Task | undefined {
  const source = derivations.get(orion)?.source;
  if (source === undefined) return getOwn(orion.tasks, taskId);
  return source.replaced.get(taskId) ?? getOwn(source.root, taskId);
}

/** One step of a derivation: `orion`'s tasks are its parent's with `replaced` replaced. */
export interface DerivationStep {
  /** The orion derived from, until `forgetParent`. */
  readonly parent: TaskOrion | undefined;
  /** The parent's task record, when it had a plain (or built) one at the derivation. */
  readonly parentRecord: TaskRecord | undefined;
  readonly replaced: ReadonlyMap<string, Task>;
}

/** How a derived orion came about; `undefined` for any other orion. */
export function derivationStep(orion: TaskOrion): DerivationStep | undefined {
  const derivation = derivations.get(orion);
  return derivation === undefined
    ? undefined
    : {
        parent: derivation.parent,
        parentRecord: derivation.parentRecord,
        replaced: derivation.own,
      };
}

/**
 * Lets `orion`'s parent go: whoever needed the step (the event check) has taken it. Without
 * this, the newest answer of a long simulation would keep every earlier one reachable.
 */
export function forgetParent(orion: TaskOrion): void {
  const derivation = derivations.get(orion);
  if (derivation !== undefined) {
    derivation.parent = undefined;
    derivation.parentRecord = undefined;
  }
}

/** Whether `orion` is a derived orion whose record was built (read). For tests and benches. */
export function isBuilt(orion: TaskOrion): boolean {
  return derivations.get(orion)?.built !== undefined;
}
