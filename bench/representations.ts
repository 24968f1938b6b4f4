/**
 * Which representation should a running orion's tasks have? The quick measurement behind
 * `src/orion/OrionRun.ts` (issue 15): the cost of one task transition (replace one task's
 * object) and of publishing a plain `TaskOrion["tasks"]` record, at 1,000 to 100,000 tasks, for
 *
 * - **copy**: what `startTask` does today, a new record copied key by key per transition;
 * - **immer**: `immer.produce(orion, (d) => { d.tasks[id] = task })`, immer's structural
 *   sharing, which on a flat record is a shallow copy of the record per transition;
 * - **persistent**: a hash array mapped trie (32-way, path copying), O(log32 n) per transition,
 *   every version kept for free, a plain record only on demand;
 * - **mutable**: one `Map` changed in place, a plain record only on demand.
 *
 * Run alone with `node --expose-gc dist/bench/representations.js` after `npm run build`.
 */
import { castDraft } from "immer";
import { pathToFileURL } from "node:url";
import { immer } from "../src/immer.js";
import { orion as build } from "../src/orion/orion.js";
import { startTask } from "../src/orion/startTask.js";
import type { Task, TaskOrion } from "../src/orion/types.js";
import { collectGarbage, formatNumber, markdownTable, median, time } from "./harness.js";

/** A minimal persistent hash map (HAMT): enough to time `set` and a full walk. */
type Node<V> = { readonly bitmap: number; readonly slots: readonly Slot<V>[] };
type Leaf<V> = { readonly key: string; readonly value: V; readonly hash: number };
type Slot<V> = Node<V> | Leaf<V>;
const isLeaf = <V>(slot: Slot<V>): slot is Leaf<V> => "key" in slot;

function hash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
const popcount = (x: number): number => {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
};

function hamtSet<V>(node: Node<V>, key: string, value: V, h: number, shift: number): Node<V> {
  const bit = 1 << ((h >>> shift) & 31);
  const at = popcount(node.bitmap & (bit - 1));
  const slots = node.slots.slice();
  if ((node.bitmap & bit) === 0) {
    slots.splice(at, 0, { key, value, hash: h });
    return { bitmap: node.bitmap | bit, slots };
  }
  const slot = node.slots[at]!;
  if (!isLeaf(slot)) slots[at] = hamtSet(slot, key, value, h, shift + 5);
  else if (slot.key === key) slots[at] = { key, value, hash: h };
  else if (shift >= 30) throw new Error("hash collision: not needed for this measurement");
  else {
    const inner = hamtSet<V>({ bitmap: 0, slots: [] }, slot.key, slot.value, slot.hash, shift + 5);
    slots[at] = hamtSet(inner, key, value, h, shift + 5);
  }
  return { bitmap: node.bitmap, slots };
}

function hamtWalk<V>(node: Node<V>, visit: (key: string, value: V) => void): void {
  for (const slot of node.slots) {
    if (isLeaf(slot)) visit(slot.key, slot.value);
    else hamtWalk(slot, visit);
  }
}

const SIZES = [1_000, 10_000, 100_000] as const;
/** Transitions timed per run (copy and immer are O(n) each, so fewer at large sizes). */
const transitions = (size: number, linear: boolean): number =>
  linear ? Math.max(5, Math.min(200, 2_000_000 / size)) : 10_000;

function orionOf(size: number): TaskOrion {
  let b = build("r");
  for (let i = 0; i < size; i++) b = b.task(`t${i}`);
  return b.build();
}

interface Row {
  readonly size: number;
  readonly copy: number;
  readonly immer: number;
  readonly persistent: number;
  readonly mutable: number;
  readonly persistentRecord: number;
  readonly mutableRecord: number;
}

function measureSize(size: number): Row {
  const base = orionOf(size);
  const ids = Object.keys(base.tasks);
  const started = (id: string): Task => ({ ...base.tasks[id]!, status: "running" });
  const runs = (f: () => number): number => median([f(), f(), f()]);

  const copy = runs(() => {
    const n = transitions(size, true);
    let o = base;
    collectGarbage();
    return (
      time(() => {
        for (let i = 0; i < n; i++) o = startTask(o, ids[i]!, i);
      }) / n
    );
  });
  const viaImmer = runs(() => {
    const n = transitions(size, true);
    let o = base;
    collectGarbage();
    return (
      time(() => {
        for (let i = 0; i < n; i++) {
          const task = started(ids[i]!);
          o = immer.produce(o, (draft) => {
            draft.tasks[task.id] = castDraft(task);
          });
        }
      }) / n
    );
  });
  let trie: Node<Task> = { bitmap: 0, slots: [] };
  for (const id of ids) trie = hamtSet(trie, id, base.tasks[id]!, hash(id), 0);
  const persistent = runs(() => {
    const n = Math.min(size, transitions(size, false));
    let t = trie;
    collectGarbage();
    return (
      time(() => {
        for (let i = 0; i < n; i++) t = hamtSet(t, ids[i]!, started(ids[i]!), hash(ids[i]!), 0);
      }) / n
    );
  });
  const map = new Map(ids.map((id) => [id, base.tasks[id]!]));
  const mutable = runs(() => {
    const n = Math.min(size, transitions(size, false));
    collectGarbage();
    return (
      time(() => {
        for (let i = 0; i < n; i++) map.set(ids[i]!, started(ids[i]!));
      }) / n
    );
  });
  const toRecord = (fill: (record: { [id: string]: Task }) => void): number =>
    runs(() => {
      collectGarbage();
      return time(() => {
        const record = Object.create(null) as { [id: string]: Task };
        fill(record);
        Object.freeze(record);
      });
    });
  const persistentRecord = toRecord((r) => hamtWalk(trie, (k, v) => (r[k] = v)));
  const mutableRecord = toRecord((r) => {
    for (const [k, v] of map) r[k] = v;
  });
  return { size, copy, immer: viaImmer, persistent, mutable, persistentRecord, mutableRecord };
}

/** Measures every candidate and returns a Markdown section. */
export async function benchRepresentations(): Promise<string> {
  const rows: Row[] = [];
  for (const size of SIZES) {
    rows.push(measureSize(size));
    await Promise.resolve();
  }
  const ns = (v: number): string => formatNumber(v);
  const ms = (v: number): string => `${(v / 1e6).toFixed(2)} ms`;
  return [
    "### Representations of a running orion's tasks",
    "",
    "Cost of one task transition (replacing one task object), ns per transition, median of 3 " +
      "runs; and of publishing a plain frozen record from the structure (a snapshot). " +
      "`bench/representations.ts`.",
    "",
    markdownTable(
      [
        "tasks",
        "copy (today)",
        "immer",
        "persistent trie",
        "mutable Map",
        "trie → record",
        "Map → record",
      ],
      rows.map((r) => [
        formatNumber(r.size),
        ns(r.copy),
        ns(r.immer),
        ns(r.persistent),
        ns(r.mutable),
        ms(r.persistentRecord),
        ms(r.mutableRecord),
      ]),
    ),
    "",
  ].join("\n");
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await benchRepresentations());
}
