import type { Adjacency } from "./buildAdjacency.js";

/** The outcome of Kahn's algorithm over an indexed graph. @internal */
export interface KahnResult {
  /** Node indices in topological order; only the first `length` entries are meaningful. */
  readonly order: Int32Array;
  readonly length: number;
  /** 1 for every node that was ordered; nodes left at 0 lie on or after a cycle. */
  readonly done: Uint8Array;
}

/**
 * Kahn's algorithm: repeatedly takes a node with no unordered predecessor. Ties are broken by
 * node index (first-in, first-out), so the order is deterministic. O(nodes + edges).
 * @internal
 */
export function kahnOrder(
  nodeCount: number,
  edgeTo: Int32Array,
  edgeCount: number,
  outgoing: Adjacency,
): KahnResult {
  const inDegree = new Int32Array(nodeCount);
  for (let e = 0; e < edgeCount; e++) inDegree[edgeTo[e]!]!++;
  const order = new Int32Array(nodeCount);
  const done = new Uint8Array(nodeCount);
  let tail = 0;
  for (let v = 0; v < nodeCount; v++) if (inDegree[v] === 0) order[tail++] = v;
  for (let head = 0; head < tail; head++) {
    const v = order[head]!;
    done[v] = 1;
    for (let i = outgoing.start[v]!, end = outgoing.start[v + 1]!; i < end; i++) {
      const w = edgeTo[outgoing.edges[i]!]!;
      if (--inDegree[w]! === 0) order[tail++] = w;
    }
  }
  return { order, length: tail, done };
}
