/**
 * The stream of one orion's events: `orion:{<orionId>}:events`. One stream per orion keeps
 * that orion's events in one order; the braces make the id a Redis Cluster hash tag, so an
 * orion's stream and its worker lease (`orion:{<orionId>}:owner`) live on one shard.
 *
 * @example
 * const publisher = toRedisStream(redis, orionStreamKey("release-42"));
 */
export function orionStreamKey(orionId: string): string {
  return `orion:{${orionId}}:events`;
}

/** The key of the lease a worker holds while it runs orion `orionId`: `orion:{<orionId>}:owner`. */
export function orionLeaseKey(orionId: string): string {
  return `orion:{${orionId}}:owner`;
}

/**
 * The orion's fencing counter, `orion:{<orionId>}:fence`: incremented by each lease grant,
 * never decremented nor deleted by orion-sync. A worker's writes carry the value it was
 * granted; a counter that is missing or lower means the broker lost its data.
 */
export function orionFenceKey(orionId: string): string {
  return `orion:{${orionId}}:fence`;
}

/**
 * The orion's latest snapshot, `orion:{<orionId>}:snapshot`: its state as of a stream id,
 * written (with the trim of the stream behind it) by the lease holder only. Delete it only
 * with the stream: without it, a trimmed stream is a lost history.
 */
export function orionSnapshotKey(orionId: string): string {
  return `orion:{${orionId}}:snapshot`;
}
