/**
 * Compressed adjacency lists: the edges of node `v` are `edges[start[v]]` up to (not including)
 * `edges[start[v + 1]]`, each an index into the edge arrays, in insertion order.
 * @internal
 */
export interface Adjacency {
  readonly start: Int32Array;
  readonly edges: Int32Array;
}

/**
 * Groups `edgeCount` edges by the node at one of their ends (`ends[e]`, e.g. the source of each
 * edge for outgoing lists), with a counting sort: O(nodes + edges), three typed arrays, no
 * per-node allocation.
 * @internal
 */
export function buildAdjacency(nodeCount: number, ends: Int32Array, edgeCount: number): Adjacency {
  const start = new Int32Array(nodeCount + 1);
  for (let e = 0; e < edgeCount; e++) start[ends[e]! + 1]!++;
  for (let v = 0; v < nodeCount; v++) start[v + 1]! += start[v]!;
  const fill = start.slice(0, nodeCount);
  const edges = new Int32Array(edgeCount);
  for (let e = 0; e < edgeCount; e++) edges[fill[ends[e]!]!++] = e;
  return { start, edges };
}
