/**
 * The part of a Redis client that `orion-sync/redis` uses, typed structurally so that
 * importing this entry never loads a client library: an `ioredis` `Redis` fits as it is.
 */

/** A Redis connection: what `fromRedisStream`, `toRedisStream` and `runOrionWorker` call. */
export interface RedisStreamClient {
  /**
   * Sends one command and resolves to its raw reply (ioredis's `call`). Commands used:
   * `XADD`, `XREAD`, `XREADGROUP`, `XACK`, `XGROUP`, `XRANGE`, `XREVRANGE`, `SET`, `EVAL`.
   */
  call(command: string, ...args: (string | number)[]): Promise<unknown>;
  /**
   * A new connection with the same options. A blocking read holds its connection, so
   * readers read on a duplicate they own and close it when they stop.
   */
  duplicate(): RedisStreamClient;
  /** Closes the connection once the replies of the commands already sent have arrived. */
  quit(): Promise<unknown>;
  /** Closes the connection at once; replies not yet received are lost. */
  disconnect(): void;
  /**
   * Listens for connection errors (ioredis emits them while it reconnects). Readers add a
   * listener to the connections they own, so a broker restart does not log "unhandled".
   */
  on?(event: "error", listener: (error: Error) => void): unknown;
}
