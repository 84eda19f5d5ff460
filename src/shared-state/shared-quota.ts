import type { Redis } from 'ioredis';
import {
  DEFAULT_PAUSE_MS,
  FLOOR_FRACTION,
  MAX_PAUSE_MS,
  type QuotaTicket,
  RECOVERY_FRACTION,
  RECOVERY_STEP_MS,
  type RateLimitSettings,
  type SharedQuotaLine,
  SourceQuota,
} from '../providers/http/source-quota.ts';
import { COMMAND_TIMEOUT_MS, type SharedRedis } from './redis.ts';
import { runUntilLeft } from './run-until-left.ts';

/**
 * One source's quota line in Redis, booked by every replica: the in-process SourceQuota's
 * arithmetic (a token bucket whose turns are booked in order, paused and halved by a vendor's
 * throttling, climbing back an eighth a second), as a GCRA over one hash, run atomically by a Lua
 * script on Redis's own clock. Times cross the wire as "ms from now", so replicas' clocks may differ.
 *
 * Ours, not rate-limiter-flexible: a caller must know before waiting whether its turn comes before
 * its deadline, and book it only then (rate-limit.ts); its limiters refuse or consume now, and its
 * queue neither books ahead nor tells when. The adaptive rate and the shared pause are ours too.
 *
 * Hash fields: tat (the theoretical arrival time of the next call, epoch ms), paused (no call
 * before it), epoch (bumped by each pause: tickets booked before must book again), rate (calls a
 * second now), changed (last change of the rate), throttles.
 *
 * A turn booked and then abandoned (its caller left, its operation ended) is given back as a
 * "hole" (KEYS[2], a sorted set of booked times): the next booking takes the earliest hole still
 * ahead when it comes before the bucket's own turn. Moving the line's TAT back instead would hand
 * the released turn's slot to the tail, where it doubles a turn another replica holds. A release
 * counts only for a turn of the current epoch that is still ahead and behind the tail, the same
 * turn twice is one hole (its booked time is the member), and the holes never outnumber the turns
 * the line can have ahead: a replica cannot give back more than was booked, nor a turn before now.
 */
const SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local op = ARGV[1]
local ceiling = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local arg = tonumber(ARGV[4])
local h = redis.call('HMGET', KEYS[1], 'tat', 'paused', 'epoch', 'rate', 'changed')
local tat = tonumber(h[1]) or 0
local paused = tonumber(h[2]) or 0
local epoch = tonumber(h[3]) or 0
local rate = math.min(tonumber(h[4]) or ceiling, ceiling)
local changed = tonumber(h[5]) or 0
local function pause(untilAt)
  paused = untilAt
  tat = untilAt + (burst - 1) * 1000 / rate
  epoch = epoch + 1
  redis.call('DEL', KEYS[2])
end
if op == 'reserve' then
  local interval = 1000 / rate
  local start = math.max(now, paused)
  local at = math.max(start, tat - (burst - 1) * interval)
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. now)
  local hole = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
  if hole[1] and tonumber(hole[2]) < at then
    local holeAt = tonumber(hole[2])
    if holeAt - now > arg then return {-1, epoch, math.floor(rate * 1000)} end
    redis.call('ZREM', KEYS[2], hole[1])
    return {math.ceil(holeAt - now), epoch, math.floor(rate * 1000), hole[1]}
  end
  if at - now > arg then return {-1, epoch, math.floor(rate * 1000)} end
  tat = math.max(tat, start) + interval
  redis.call('HSET', KEYS[1], 'tat', tostring(tat), 'rate', tostring(rate))
  redis.call('PEXPIRE', KEYS[1], ${MAX_PAUSE_MS * 2})
  return {math.ceil(at - now), epoch, math.floor(rate * 1000), tostring(at)}
elseif op == 'release' then
  local at = tonumber(ARGV[5])
  if arg ~= epoch or at == nil or at <= now or at >= tat then return {epoch} end
  if redis.call('ZCARD', KEYS[2]) >= (tat - now) * rate / 1000 + burst then return {epoch} end
  redis.call('ZADD', KEYS[2], at, ARGV[5])
  redis.call('PEXPIRE', KEYS[2], ${MAX_PAUSE_MS * 2})
  return {epoch}
elseif op == 'holds' then
  return {epoch}
elseif op == 'throttled' then
  local untilAt = now + ${DEFAULT_PAUSE_MS}
  if arg >= 0 then untilAt = now + arg end
  untilAt = math.min(now + ${MAX_PAUSE_MS}, math.max(untilAt, now))
  if now >= paused then
    rate = math.max(ceiling * ${FLOOR_FRACTION}, rate / 2)
    changed = now
    redis.call('HINCRBY', KEYS[1], 'throttles', 1)
  end
  pause(math.max(untilAt, paused))
elseif op == 'exhausted' then
  local untilAt = math.min(now + ${MAX_PAUSE_MS}, now + arg)
  if untilAt <= paused or untilAt <= now then return {epoch} end
  pause(untilAt)
elseif op == 'succeeded' then
  if rate >= ceiling or now - changed < ${RECOVERY_STEP_MS} or now < paused then return {epoch} end
  rate = math.min(ceiling, rate + ceiling * ${RECOVERY_FRACTION})
  changed = now
end
redis.call('HSET', KEYS[1], 'tat', tostring(tat), 'paused', tostring(paused), 'epoch', epoch, 'rate', tostring(rate), 'changed', tostring(changed))
redis.call('PEXPIRE', KEYS[1], ${MAX_PAUSE_MS * 2})
return {epoch}
`;

/** Farther than any deadline: an unbounded wait crosses the wire as this (Lua reads no Infinity). */
const MAX_ARG_MS = 1e9;

type QuotaOperation = 'reserve' | 'release' | 'holds' | 'throttled' | 'exhausted' | 'succeeded';

/** The script as a command of the connection (ioredis `defineCommand`: EVALSHA, EVAL once when Redis lacks it). */
interface QuotaCommand {
  gatewayQuota(
    key: string,
    holes: string,
    op: QuotaOperation,
    ceiling: number,
    burst: number,
    arg: number,
    booked: string,
  ): Promise<Array<number | string>>;
}

/** A turn booked in Redis: its time on Redis's clock (the hole it leaves if given back), and the caller's deadline. */
interface Booking {
  readonly booked: string;
  readonly latest: number;
}

/**
 * How long a caller waits for Redis: half the time its operation has left, at most Redis's own
 * command deadline. Redis slow or paused, the caller still has the other half to take a turn in
 * its own line and make its call, instead of learning only at its deadline that Redis never answered.
 */
export function redisWaitFor(latest: number, now = Date.now()): number {
  return Math.min(COMMAND_TIMEOUT_MS, (latest - now) / 2);
}

/**
 * The shared line of `source`, over `local`'s settings and ceiling (a Vonage published cap lowers
 * it for every replica that read it). `local` keeps the departures and stands in when Redis fails.
 */
export function createSharedQuotaLine(redis: SharedRedis, source: string, local: SourceQuota): SharedQuotaLine {
  const commands = redis.client as unknown as Partial<QuotaCommand>;
  if (typeof commands.gatewayQuota !== 'function')
    redis.client.defineCommand('gatewayQuota', { numberOfKeys: 2, lua: SCRIPT });
  // One hash tag for the line and its holes: the script touches both, so on a Redis Cluster they share a slot.
  const key = `${redis.prefix}quota:{${source}}`;
  // The shared rate as of the last booking: successes are told to Redis only while it is below the ceiling.
  let sharedRate = local.settings.requestsPerSecond;
  // The turns this replica booked and has not given back: a ticket given back twice, or one not from here, does nothing.
  const bookings = new WeakMap<QuotaTicket, Booking>();
  const command =
    (op: QuotaOperation, arg: number, booked = '') =>
    (client: Redis) =>
      (client as unknown as QuotaCommand).gatewayQuota(
        key,
        `${key}:holes`,
        op,
        local.snapshot().ceiling,
        local.settings.burst,
        Math.max(-1, Math.min(MAX_ARG_MS, Math.round(arg))),
        booked,
      );
  const call = (op: QuotaOperation, arg: number) => redis.run(command(op, arg));
  // While Redis is away each of `replicas` replicas keeps its share of the quota, told of the vendor's answers as `local` is.
  const share = redis.replicas > 1 ? awayShare(local.settings, redis.replicas) : undefined;
  const giveBack = (epoch: number, booked: string) => void redis.run(command('release', epoch, booked));
  return {
    async reserve(latest, signal) {
      const sent = Date.now();
      // A booking that answers after the caller stopped waiting (or left) is a turn nobody takes: given back at once.
      const reply = await runUntilLeft(
        redis,
        redisWaitFor(latest, sent),
        command('reserve', latest - sent),
        signal,
        (late) => {
          if (Number(late[0]) >= 0 && typeof late[3] === 'string') giveBack(Number(late[1]), late[3]);
        },
      );
      if (reply === undefined) return undefined;
      const [wait, epoch, rateMillis, booked] = reply as [number, number, number, string | undefined];
      sharedRate = rateMillis / 1000;
      if (wait < 0) return null;
      const ticket = { at: sent + wait, epoch };
      if (booked !== undefined) bookings.set(ticket, { booked, latest });
      return ticket;
    },
    async holds(ticket: QuotaTicket, signal) {
      const latest = bookings.get(ticket)?.latest ?? Date.now() + COMMAND_TIMEOUT_MS;
      const reply = await runUntilLeft(redis, redisWaitFor(latest), command('holds', 0), signal);
      return reply === undefined ? undefined : reply[0] === ticket.epoch;
    },
    release(ticket: QuotaTicket) {
      const booking = bookings.get(ticket);
      if (booking === undefined) return;
      bookings.delete(ticket);
      giveBack(ticket.epoch, booking.booked);
    },
    whileAway() {
      if (share === undefined) return local;
      // A vendor's published cap (Vonage) lowers `local`'s ceiling: the share follows.
      share.cap(local.snapshot().ceiling / redis.replicas);
      return share;
    },
    throttled(until) {
      sharedRate = 0;
      share?.throttled(Date.now(), until);
      void call('throttled', until === undefined ? -1 : Math.max(0, until - Date.now()));
    },
    exhaustedUntil(until) {
      share?.exhaustedUntil(Date.now(), until);
      void call('exhausted', until - Date.now());
    },
    succeeded() {
      share?.succeeded(Date.now());
      if (sharedRate < local.snapshot().ceiling) void call('succeeded', 0);
    },
  };
}

/** One replica's share of a quota of `replicas`: the rate divided, the burst too (one call at least). */
function awayShare(settings: RateLimitSettings, replicas: number): SourceQuota {
  return new SourceQuota({
    requestsPerSecond: settings.requestsPerSecond / replicas,
    burst: Math.max(1, Math.floor(settings.burst / replicas)),
  });
}
