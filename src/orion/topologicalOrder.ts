import { buildAdjacency } from "./internal/buildAdjacency.js";
import { findCycles } from "./internal/findCycles.js";
import { kahnOrder } from "./internal/kahnOrder.js";
import { OrionCycleError } from "./errors.js";
import type { TaskOrion } from "./types.js";
import { recordKeys } from "./internal/recordFacts.js";

/**
 * The orion's task ids in an order where every task comes after the tasks it depends on. Among
 * tasks free to go next, the one listed first in `orion.tasks` goes first, so the order is
 * deterministic. Edges naming a missing task are ignored (`validateOrion` reports them).
 * O(tasks + dependencies).
 * @throws OrionCycleError - when the dependencies form a cycle (a self-dependency included).
 */
export function topologicalOrder(orion: TaskOrion): readonly string[] {
  const keys = recordKeys(orion.tasks);
  const index = new Map<string, number>();
  for (let i = 0; i < keys.length; i++) index.set(keys[i]!, i);
  const dependencies = Object.values(orion.dependencies);
  const from = new Int32Array(dependencies.length);
  const to = new Int32Array(dependencies.length);
  let edgeCount = 0;
  for (const dependency of dependencies) {
    const f = index.get(dependency.fromTaskId);
    const t = index.get(dependency.toTaskId);
    if (f === undefined || t === undefined) continue;
    from[edgeCount] = f;
    to[edgeCount++] = t;
  }
  const outgoing = buildAdjacency(keys.length, from, edgeCount);
  const { order, length, done } = kahnOrder(keys.length, to, edgeCount, outgoing);
  if (length < keys.length) {
    const [cycle] = findCycles(keys, from, to, edgeCount, done);
    throw new OrionCycleError(orion.id, cycle ?? []);
  }
  return Array.from(order, (node) => keys[node]!);
}
