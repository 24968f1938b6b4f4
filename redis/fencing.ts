/**
 * The lease and its fencing token, as Lua scripts: each check and the write it guards run
 * in one script, so nothing can change the lease between them.
 */
import type { RedisStreamClient } from "./RedisStreamClient.js";

/**
 * Grants the lease if it is free: INCRs the fencing counter and stores `<token>:<workerId>`
 * with the lease's expiry. KEYS: lease, fence. ARGV: workerId, leaseMs. Returns the token, or
 * 0 if another worker holds the lease.
 */
const ACQUIRE = `if redis.call('exists', KEYS[1]) == 1 then return 0 end
local token = redis.call('incr', KEYS[2])
redis.call('set', KEYS[1], token .. ':' .. ARGV[1], 'PX', ARGV[2])
return token`;

/**
 * KEYS: lease, fence. ARGV: lease value, leaseMs, token. 1: renewed; 0: another grant;
 * -2: the fencing counter is missing or behind the token (the broker lost its data).
 */
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
if tonumber(redis.call('get', KEYS[2]) or '0') < tonumber(ARGV[3]) then return -2 end
return 0`;

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * The fenced write: appends the entry only if the lease still holds this grant. KEYS: lease,
 * fence, stream. ARGV: lease value, token, "1" if the stream must exist, then the entry's
 * fields. Returns the entry id, -1 (another grant), -2 (counter lost) or -3 (stream lost).
 */
const FENCED_XADD = `if redis.call('get', KEYS[1]) ~= ARGV[1] then
  if tonumber(redis.call('get', KEYS[2]) or '0') < tonumber(ARGV[2]) then return -2 end
  return -1
end
if ARGV[3] == '1' and redis.call('exists', KEYS[3]) == 0 then return -3 end
return redis.call('xadd', KEYS[3], '*', unpack(ARGV, 4))`;

/**
 * The fenced snapshot and trim: stores the snapshot and trims the stream behind it, only if
 * the lease still holds this grant. KEYS: lease, fence, stream, snapshot. ARGV: lease value,
 * token, snapshot, its last stream id, retention (ms). The trim point is the lowest of: the
 * snapshot's id, the broker's time minus the retention, and for each consumer group its
 * last-delivered id and its oldest unacknowledged entry (a group never loses an entry it has
 * not handled). Returns the number of entries trimmed, or -1 / -2 / -3 as the write.
 */
const FENCED_SNAPSHOT = `if redis.call('get', KEYS[1]) ~= ARGV[1] then
  if tonumber(redis.call('get', KEYS[2]) or '0') < tonumber(ARGV[2]) then return -2 end
  return -1
end
if redis.call('exists', KEYS[3]) == 0 then return -3 end
local function parse(id)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  return tonumber(ms), tonumber(seq)
end
local minMs, minSeq = parse(ARGV[4])
local function lower(id)
  local ms, seq = parse(id)
  if ms ~= nil and (ms < minMs or (ms == minMs and seq < minSeq)) then minMs, minSeq = ms, seq end
end
local now = redis.call('time')
local bound = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) - tonumber(ARGV[5])
if bound < 0 then bound = 0 end
lower(string.format('%d-0', bound))
for _, group in ipairs(redis.call('xinfo', 'groups', KEYS[3])) do
  local info = {}
  for i = 1, #group, 2 do info[group[i]] = group[i + 1] end
  lower(info['last-delivered-id'])
  if tonumber(info['pending']) > 0 then
    local summary = redis.call('xpending', KEYS[3], info['name'])
    lower(summary[2])
  end
end
redis.call('set', KEYS[4], ARGV[3])
return redis.call('xtrim', KEYS[3], 'MINID', string.format('%d-%d', minMs, minSeq))`;

/** Why a fenced command was refused. */
export type FenceRefusal = "lease-lost" | "counter-lost" | "stream-lost";

/** A granted lease: its fencing token and the value stored under the lease key. */
export interface LeaseGrant {
  readonly token: number;
  readonly value: string;
}

/** The fenced commands of one worker on one orion. */
export class Fence {
  constructor(
    private readonly client: RedisStreamClient,
    private readonly leaseKey: string,
    private readonly fenceKey: string,
    private readonly stream: string,
  ) {}

  /** Takes the lease if it is free: its grant, or undefined. */
  async acquire(workerId: string, leaseMs: number): Promise<LeaseGrant | undefined> {
    const token = Number(
      await this.client.call("EVAL", ACQUIRE, 2, this.leaseKey, this.fenceKey, workerId, leaseMs),
    );
    return token > 0 ? { token, value: `${token}:${workerId}` } : undefined;
  }

  /** Extends the lease: undefined if it still holds `grant`, otherwise why not. */
  async renew(grant: LeaseGrant, leaseMs: number): Promise<FenceRefusal | undefined> {
    const reply = Number(
      await this.client.call(
        "EVAL",
        RENEW,
        2,
        this.leaseKey,
        this.fenceKey,
        grant.value,
        leaseMs,
        grant.token,
      ),
    );
    return reply === 1 ? undefined : reply === -2 ? "counter-lost" : "lease-lost";
  }

  /** Releases the lease if it still holds `grant` (errors ignored: it expires anyway). */
  release(grant: LeaseGrant): Promise<unknown> {
    return this.client.call("EVAL", RELEASE, 1, this.leaseKey, grant.value).catch(() => undefined);
  }

  /**
   * Stores `snapshot` under `snapshotKey` and trims the stream behind `lastId` (see
   * FENCED_SNAPSHOT), if the lease still holds `grant`: how many entries were trimmed, or
   * why not.
   */
  async snapshot(
    grant: LeaseGrant,
    snapshotKey: string,
    snapshot: string,
    lastId: string,
    retentionMs: number,
  ): Promise<{ trimmed: number } | { refused: FenceRefusal }> {
    const code = Number(
      await this.client.call(
        "EVAL",
        FENCED_SNAPSHOT,
        4,
        this.leaseKey,
        this.fenceKey,
        this.stream,
        snapshotKey,
        grant.value,
        grant.token,
        snapshot,
        lastId,
        retentionMs,
      ),
    );
    if (code >= 0) return { trimmed: code };
    return { refused: code === -2 ? "counter-lost" : code === -3 ? "stream-lost" : "lease-lost" };
  }

  /** Appends `fields` if the lease still holds `grant`: the entry id, or why not. */
  async append(
    grant: LeaseGrant,
    fields: readonly string[],
    streamMustExist: boolean,
  ): Promise<{ id: string } | { refused: FenceRefusal }> {
    const reply = await this.client.call(
      "EVAL",
      FENCED_XADD,
      3,
      this.leaseKey,
      this.fenceKey,
      this.stream,
      grant.value,
      grant.token,
      streamMustExist ? "1" : "0",
      ...fields,
    );
    if (typeof reply === "string") return { id: reply };
    const code = Number(reply);
    return { refused: code === -2 ? "counter-lost" : code === -3 ? "stream-lost" : "lease-lost" };
  }
}
