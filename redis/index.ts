/**
 * orion-sync/redis: orion events on Redis Streams, for orchestrators and agents in
 * different processes, and workers that recover an orion after a crash.
 *
 * Bring your own client (`ioredis` fits): this entry never imports one.
 * @module orion-sync/redis
 */
export type { RedisStreamClient } from "./RedisStreamClient.js";
export {
  orionFenceKey,
  orionLeaseKey,
  orionSnapshotKey,
  orionStreamKey,
} from "./orionStreamKey.js";
export { ORION_SNAPSHOT_FORMAT, parseOrionSnapshot, type OrionSnapshot } from "./compaction.js";
export {
  InvalidPendingSnapshotError,
  PENDING_SNAPSHOT_FORMAT,
  restorePendingState,
  snapshotPendingState,
  type EventRecordSnapshot,
  type ForgetSnapshot,
  type PendingSnapshot,
  type SnapshotOptions,
} from "../src/pending/snapshot.js";
export { HistoryLostError, UnpublishableEventError, type UnpublishableReason } from "./errors.js";
export {
  fromRedisStream,
  type FromRedisStreamOptions,
  type InvalidStreamEntry,
} from "./fromRedisStream.js";
export {
  toRedisStream,
  type RedisStreamPublisher,
  type ToRedisStreamOptions,
} from "./toRedisStream.js";
export {
  DEFAULT_MAX_ENTRY_LENGTH,
  MAX_EVENT_DEPTH,
  STREAM_FORMAT_VERSION,
  decodeStreamEntry,
  encodeForPublish,
  encodeOrionEvent,
  type DecodeLimits,
  type DecodedEntry,
} from "./streamEntry.js";
export {
  OrionReplayer,
  replayOrion,
  type ReplayedOrion,
  type ReplayOptions,
} from "./replayOrion.js";
export {
  LeaseLostError,
  runOrionWorker,
  type OrionRecovery,
  type OrionWorkerOptions,
  type OrionWorkerResult,
} from "./runOrionWorker.js";
