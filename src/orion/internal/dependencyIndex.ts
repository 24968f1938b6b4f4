import type { Dependency, TaskOrion } from "../types.js";
import { isDependencyType, typeCode } from "../dependencyType.js";
import { buildAdjacency } from "./buildAdjacency.js";
import { kahnOrder } from "./kahnOrder.js";
import { isImmutableRecord } from "./recordFacts.js";

/**
 * What can be known about a dependencies record without looking at the tasks. Memoised per
 * record object only when nothing it reads can change: the record frozen (and not an immer
 * draft) and every dependency in it frozen too (the index reads their ids, ends and types). A
 * draft or a record edited in place keeps its identity while its edges change, so it is indexed
 * afresh on every call (issue 13, item 8). The builder, immer's auto-freezing `produce` and
 * Redux Toolkit all hand over frozen records, so an unchanged record, the common case between
 * two merges, is still indexed once.
 * @internal
 */
export interface DependencyIndex {
  /** The record's keys, in order. */
  readonly keys: readonly string[];
  /** The dependencies, in record order. */
  readonly list: readonly Dependency[];
  /** Dependencies by target task id (built on first use). */
  incoming(): ReadonlyMap<string, readonly Dependency[]>;
  /** Dependencies by source task id (built on first use). */
  outgoing(): ReadonlyMap<string, readonly Dependency[]>;
  /**
   * Whether the record alone is sound: every key matches its dependency's id, every type is
   * known, no self-dependency, no duplicate edge and no cycle (over all task ids the edges name,
   * existing or not). Then, with `endpoints` all present, the orion's edges are valid.
   */
  sound(): boolean;
  /** Every task id named by some dependency, each once (built on first use). */
  endpoints(): readonly string[];
  /** The edges as typed arrays over `endpoints()` (built on first use). */
  compiled(): CompiledEdges;
}

/**
 * The edges as numbers, for the hot ready-set loop: edge `e` runs from endpoint `from[e]` to
 * endpoint `to[e]` with type code `type[e]`; endpoints are numbered in first-seen order.
 * @internal
 */
export interface CompiledEdges {
  readonly endpoints: readonly string[];
  readonly endpointIndex: ReadonlyMap<string, number>;
  readonly from: Int32Array;
  readonly to: Int32Array;
  readonly type: Uint8Array;
}

const memo = new WeakMap<TaskOrion["dependencies"], DependencyIndex>();

/** The `DependencyIndex` of a dependencies record, memoised when it cannot change. @internal */
export function dependencyIndex(dependencies: TaskOrion["dependencies"]): DependencyIndex {
  let index = memo.get(dependencies);
  if (index === undefined) {
    index = build(dependencies);
    if (isImmutable(dependencies, index.list)) memo.set(dependencies, index);
  }
  return index;
}

/** Whether `dependencies` has an index remembered (it is frozen, so the index is kept). @internal */
export function hasMemoisedIndex(dependencies: TaskOrion["dependencies"]): boolean {
  return memo.has(dependencies);
}

/** Whether the record and each of its dependencies are frozen (so the index stays true). */
function isImmutable(
  dependencies: TaskOrion["dependencies"],
  list: readonly Dependency[],
): boolean {
  if (!isImmutableRecord(dependencies)) return false;
  for (const dependency of list) if (!Object.isFrozen(dependency)) return false;
  return true;
}

/**
 * The index of `dependencies`, reusing `likeIndex` (the index of another record) when the two
 * records hold the same edges under the same keys in the same order (same ids, ends and types;
 * conditions and extras are not indexed). Two orions that went through JSON separately then
 * share one index, and comparing the records is much cheaper than indexing one.
 * O(dependencies) when not already memoised.
 * @internal
 */
export function dependencyIndexLike(
  dependencies: TaskOrion["dependencies"],
  likeIndex: DependencyIndex,
): DependencyIndex {
  const known = memo.get(dependencies);
  if (known !== undefined) return known;
  const keys = Object.keys(dependencies);
  const list = likeIndex.list;
  if (keys.length !== list.length) return dependencyIndex(dependencies);
  for (let i = 0; i < keys.length; i++) {
    const mine = dependencies[keys[i]!]!;
    const theirs = list[i]!;
    if (
      mine.id !== theirs.id ||
      mine.fromTaskId !== theirs.fromTaskId ||
      mine.toTaskId !== theirs.toTaskId ||
      mine.type !== theirs.type ||
      keys[i] !== likeIndex.keys[i]
    ) {
      return dependencyIndex(dependencies);
    }
  }
  // Compared just now, so right for this call; remembered only if it cannot change.
  if (
    isImmutable(
      dependencies,
      keys.map((key) => dependencies[key]!),
    )
  ) {
    memo.set(dependencies, likeIndex);
  }
  return likeIndex;
}

function build(dependencies: TaskOrion["dependencies"]): DependencyIndex {
  const keys = Object.keys(dependencies);
  const list = keys.map((key) => dependencies[key]!);
  let incoming: Map<string, Dependency[]> | undefined;
  let outgoing: Map<string, Dependency[]> | undefined;
  let sound: boolean | undefined;
  let compiled: CompiledEdges | undefined;
  const group = (end: "fromTaskId" | "toTaskId"): Map<string, Dependency[]> => {
    const map = new Map<string, Dependency[]>();
    for (const dependency of list) {
      const group = map.get(dependency[end]);
      if (group === undefined) map.set(dependency[end], [dependency]);
      else group.push(dependency);
    }
    return map;
  };
  const index: DependencyIndex = {
    keys,
    list,
    incoming: () => (incoming ??= group("toTaskId")),
    outgoing: () => (outgoing ??= group("fromTaskId")),
    endpoints: () => index.compiled().endpoints,
    sound: () => (sound ??= isSound(keys, list, index.outgoing(), index.compiled())),
    compiled: () => (compiled ??= compile(list)),
  };
  return index;
}

function isSound(
  keys: readonly string[],
  list: readonly Dependency[],
  outgoing: ReadonlyMap<string, readonly Dependency[]>,
  compiled: CompiledEdges,
): boolean {
  for (let i = 0; i < list.length; i++) {
    const dependency = list[i]!;
    if (dependency.id !== keys[i] || dependency.fromTaskId === dependency.toTaskId) return false;
    if (!isDependencyType(dependency.type)) return false;
  }
  // No duplicate edge: the targets of each source are distinct.
  for (const group of outgoing.values()) {
    if (group.length > 1 && new Set(group.map((d) => d.toTaskId)).size !== group.length) {
      return false;
    }
  }
  // No cycle: Kahn's algorithm over the task ids the edges name orders all of them.
  const { endpoints, from, to } = compiled;
  const outgoingEdges = buildAdjacency(endpoints.length, from, from.length);
  return kahnOrder(endpoints.length, to, to.length, outgoingEdges).length === endpoints.length;
}

function compile(list: readonly Dependency[]): CompiledEdges {
  const endpointIndex = new Map<string, number>();
  const endpoints: string[] = [];
  const indexOf = (taskId: string): number => {
    let i = endpointIndex.get(taskId);
    if (i === undefined) {
      i = endpoints.length;
      endpointIndex.set(taskId, i);
      endpoints.push(taskId);
    }
    return i;
  };
  const from = new Int32Array(list.length);
  const to = new Int32Array(list.length);
  const type = new Uint8Array(list.length);
  for (let e = 0; e < list.length; e++) {
    const dependency = list[e]!;
    from[e] = indexOf(dependency.fromTaskId);
    to[e] = indexOf(dependency.toTaskId);
    type[e] = typeCode(dependency.type);
  }
  return { endpoints, endpointIndex, from, to, type };
}
