import { randomUUID } from 'node:crypto';
import type { CircuitBreaker } from '../providers/http/circuit-breaker.ts';
import type { SharedRedis } from './redis.ts';

/**
 * What a replica publishes when one of its breakers opens or its probe closes it, or when a run of
 * failures starts (FAILING: the next success anywhere must end it).
 */
interface BreakerMessage {
  readonly replica: string;
  readonly source: string;
  readonly state: 'OPEN' | 'CLOSED' | 'FAILING';
  readonly openForMs: number;
}

/**
 * Counts a failure, and publishes the start of a run in the same step: Redis sends the news before
 * anything that comes after the failed call's answer (the next success on another replica must
 * know to end the run), though the failed call does not wait for the count.
 */
const COUNT = `local n = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
if n == 1 then redis.call('PUBLISH', ARGV[2], ARGV[3]) end
return n`;

/** The longest a claimed probe keeps other replicas from probing: past it, a lost replica's claim lapses. */
const PROBE_CLAIM_MS = 30_000;

/**
 * Every replica's breakers of a source act as one. An opening is published (and kept in a key
 * that expires when the breaker would half-open, for replicas that connect later or reconnect);
 * a probe's success publishes the closing. Half-open, a replica probes only after claiming the
 * probe (SET NX with an expiry), so N replicas send one probe, not N.
 *
 * Consecutive failures are counted over every replica (INCR of a per-source key), so N replicas
 * open after `failureThreshold` failures in all. The run is "in a row" across replicas: a success
 * on any replica ends it (DEL), and it lapses `openMs` after its last failure (the key's expiry).
 * So that a success costs Redis nothing while no run is on, the first failure of a run is
 * published (FAILING), and only a replica that heard of a run since its last success deletes the
 * key. An opening or a closing ends the run too. Redis down: each breaker is its own, as without
 * `server.redis`.
 */
export function shareBreakers(
  redis: SharedRedis,
  breakers: ReadonlyMap<string, CircuitBreaker>,
  probeMs: (source: string) => number,
): void {
  const replica = randomUUID();
  const channel = `${redis.prefix}breakers`;
  const openKey = (source: string) => `${redis.prefix}breaker:${source}`;
  const failuresKey = (source: string) => `${openKey(source)}:failures`;
  // Sources whose shared run of failures may be on: the next success here ends it for everyone.
  const failing = new Set<string>();

  const subscriber = redis.subscriber(() => {
    // Openings published while this replica was away are still in their keys; runs of failures may have started.
    for (const source of breakers.keys()) failing.add(source);
    for (const [source, breaker] of breakers)
      void redis
        .run((client) => client.pttl(openKey(source)))
        .then((left) => {
          if (left !== undefined && left > 0) breaker.adopt('OPEN', left);
        });
  });
  void subscriber.subscribe(channel).catch(() => {});
  subscriber.on('message', (_channel: string, text: string) => {
    const message = parse(text);
    if (message === undefined || message.replica === replica) return;
    if (message.state === 'FAILING') failing.add(message.source);
    else breakers.get(message.source)?.adopt(message.state, message.openForMs);
  });

  for (const [source, breaker] of breakers)
    breaker.link({
      changed(state, openForMs) {
        const message: BreakerMessage = { replica, source, state, openForMs };
        void redis.run(async (client) => {
          // A probe's answer ends its claim: the next half-open may probe again.
          if (state === 'OPEN')
            await client
              .multi()
              .set(openKey(source), '1', 'PX', Math.max(1, openForMs))
              .del(`${openKey(source)}:probe`, failuresKey(source))
              .exec();
          else await client.del(openKey(source), `${openKey(source)}:probe`, failuresKey(source));
          await client.publish(channel, JSON.stringify(message));
        });
      },
      async failed(windowMs) {
        failing.add(source);
        // Nobody waits for it (CircuitBreaker applies the count when it comes): Redis's own command deadline bounds it.
        const message: BreakerMessage = { replica, source, state: 'FAILING', openForMs: 0 };
        const count = await redis.run((client) =>
          client.eval(COUNT, 1, failuresKey(source), Math.max(1, windowMs), channel, JSON.stringify(message)),
        );
        return typeof count === 'number' ? count : undefined;
      },
      succeeded() {
        if (!failing.delete(source)) return;
        void redis
          .run((client) => client.del(failuresKey(source)))
          .then((done) => {
            // Not deleted (Redis away): the run may still be on, so the next success tries again.
            if (done === undefined) failing.add(source);
          });
      },
      async claimProbe() {
        const claimed = await redis.run((client) =>
          client.set(`${openKey(source)}:probe`, replica, 'PX', Math.min(PROBE_CLAIM_MS, probeMs(source)), 'NX'),
        );
        return claimed === undefined ? undefined : claimed === 'OK';
      },
    });
}

function parse(text: string): BreakerMessage | undefined {
  try {
    const value = JSON.parse(text) as Partial<BreakerMessage>;
    if (typeof value.source !== 'string' || typeof value.replica !== 'string') return undefined;
    if (!['OPEN', 'CLOSED', 'FAILING'].includes(String(value.state)) || typeof value.openForMs !== 'number')
      return undefined;
    return value as BreakerMessage;
  } catch {
    return undefined;
  }
}
