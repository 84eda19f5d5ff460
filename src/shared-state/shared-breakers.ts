import { randomUUID } from 'node:crypto';
import type { CircuitBreaker } from '../providers/http/circuit-breaker.ts';
import type { SharedRedis } from './redis.ts';

/** What a replica publishes when one of its breakers opens or its probe closes it. */
interface BreakerMessage {
  readonly replica: string;
  readonly source: string;
  readonly state: 'OPEN' | 'CLOSED';
  readonly openForMs: number;
}

/** The longest a claimed probe keeps other replicas from probing: past it, a lost replica's claim lapses. */
const PROBE_CLAIM_MS = 30_000;

/**
 * Every replica's breakers of a source act as one. An opening is published (and kept in a key
 * that expires when the breaker would half-open, for replicas that connect later or reconnect);
 * a probe's success publishes the closing. Half-open, a replica probes only after claiming the
 * probe (SET NX with an expiry), so N replicas send one probe, not N. Consecutive failures stay
 * per replica. Redis down: each breaker is its own, as without `server.redis`.
 */
export function shareBreakers(
  redis: SharedRedis,
  breakers: ReadonlyMap<string, CircuitBreaker>,
  probeMs: (source: string) => number,
): void {
  const replica = randomUUID();
  const channel = `${redis.prefix}breakers`;
  const openKey = (source: string) => `${redis.prefix}breaker:${source}`;

  const subscriber = redis.subscriber(() => {
    // Openings published while this replica was away are still in their keys.
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
    breakers.get(message.source)?.adopt(message.state, message.openForMs);
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
              .del(`${openKey(source)}:probe`)
              .exec();
          else await client.del(openKey(source), `${openKey(source)}:probe`);
          await client.publish(channel, JSON.stringify(message));
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
    if ((value.state !== 'OPEN' && value.state !== 'CLOSED') || typeof value.openForMs !== 'number') return undefined;
    return value as BreakerMessage;
  } catch {
    return undefined;
  }
}
