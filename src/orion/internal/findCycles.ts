import { buildAdjacency } from "./buildAdjacency.js";

/**
 * Finds cycles among the nodes Kahn's algorithm could not order (`done[v] === 0`). Every such
 * node has a predecessor that is also unordered, so walking backwards from one must revisit a
 * node: the revisited stretch is a cycle. Walks that run into an earlier walk stop there, so each
 * reported cycle is new and they are pairwise disjoint; at least one is reported whenever any
 * node is unordered. O(nodes + edges).
 *
 * Each cycle is returned as node keys in edge direction, starting at its smallest key and
 * repeating it at the end: `["a", "b", "c", "a"]` for a → b → c → a.
 * @internal
 */
export function findCycles(
  keys: readonly string[],
  edgeFrom: Int32Array,
  edgeTo: Int32Array,
  edgeCount: number,
  done: Uint8Array,
): string[][] {
  const nodeCount = keys.length;
  const incoming = buildAdjacency(nodeCount, edgeTo, edgeCount);
  const walkOf = new Int32Array(nodeCount); // 0: not visited; otherwise the walk's number
  const position = new Int32Array(nodeCount);
  const cycles: string[][] = [];
  let walkNumber = 0;
  for (let root = 0; root < nodeCount; root++) {
    if (done[root] === 1 || walkOf[root] !== 0) continue;
    walkNumber++;
    const walk: number[] = [];
    let v = root;
    for (;;) {
      walkOf[v] = walkNumber;
      position[v] = walk.length;
      walk.push(v);
      let predecessor = -1;
      for (let i = incoming.start[v]!, end = incoming.start[v + 1]!; i < end; i++) {
        const u = edgeFrom[incoming.edges[i]!]!;
        if (done[u] === 0) {
          predecessor = u;
          break;
        }
      }
      if (predecessor === -1 || (walkOf[predecessor] !== 0 && walkOf[predecessor] !== walkNumber)) {
        break; // joined an earlier walk (or, defensively, no unordered predecessor)
      }
      if (walkOf[predecessor] === walkNumber) {
        // walk[j] = predecessor, and walk[i + 1] → walk[i]; forwards: walk[j] → walk[last] → … → walk[j + 1] → walk[j].
        const j = position[predecessor]!;
        const forwards = [walk[j]!];
        for (let i = walk.length - 1; i > j; i--) forwards.push(walk[i]!);
        cycles.push(rotateToSmallest(forwards.map((node) => keys[node]!)));
        break;
      }
      v = predecessor;
    }
  }
  return cycles;
}

function rotateToSmallest(cycle: string[]): string[] {
  let smallest = 0;
  for (let i = 1; i < cycle.length; i++) if (cycle[i]! < cycle[smallest]!) smallest = i;
  const rotated = [...cycle.slice(smallest), ...cycle.slice(0, smallest)];
  rotated.push(rotated[0]!);
  return rotated;
}
