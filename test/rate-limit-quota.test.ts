import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.ts';
import { SourceError } from '../src/errors.ts';
import { CircuitBreaker } from '../src/providers/http/circuit-breaker.ts';
import { withRateLimit } from '../src/providers/http/rate-limit.ts';
import { MAX_PAUSE_MS, SourceQuota } from '../src/providers/http/source-quota.ts';

// The quota's bookkeeping on a clock the test gives it (ms since 0): the turns it hands out, the
// pause and the halving after a vendor's throttling, and the additive climb back.
describe('SourceQuota', () => {
  const never = Number.POSITIVE_INFINITY;

  it('hands out `burst` turns at once, then one every 1/rate seconds, in booking order', () => {
    const quota = new SourceQuota({ requestsPerSecond: 10, burst: 2 }, 0);
    const turns = Array.from({ length: 5 }, () => quota.reserve(0, never)?.at);
    expect(turns).toEqual([0, 0, 100, 200, 300]);
  });

  it('timers that fire late do not let several turns leave at once: departures hold the bucket too', () => {
    const quota = new SourceQuota({ requestsPerSecond: 10, burst: 1 }, 0);
    for (let turn = 0; turn < 5; turn += 1) quota.reserve(0, never);
    // All five turns (0 to 400 ms) wake together at 1000 ms, after a stalled event loop.
    const waits = Array.from({ length: 5 }, () => quota.depart(1000));
    expect(waits[0]).toBe(0);
    expect(waits.slice(1).every((wait) => wait >= 99)).toBe(true);
    expect(quota.depart(1100)).toBe(0);
  });

  it('a turn booked and then abandoned (the caller left) is given back: later callers are not pushed back', () => {
    const quota = new SourceQuota({ requestsPerSecond: 1, burst: 1 }, 0);
    expect(quota.reserve(0, never)?.at).toBe(0);
    const abandoned = Array.from({ length: 15 }, () => quota.reserve(0, never)!);
    expect(abandoned.at(-1)?.at).toBe(15_000);
    for (const ticket of abandoned) quota.release(ticket, 100);
    // Without the release the next turn would come at 16 s, past a 15 s deadline: an idle vendor refused for everyone.
    expect(quota.reserve(100, never)?.at).toBeCloseTo(1000);
    // A turn already due, or one a throttling voided, is not given back.
    const due = quota.reserve(100, never)!;
    quota.release(due, due.at);
    expect(quota.reserve(100, never)?.at).toBeCloseTo(due.at + 1000);
  });

  it('books nothing when the turn would come after the latest moment the caller can wait', () => {
    const quota = new SourceQuota({ requestsPerSecond: 1, burst: 1 }, 0);
    expect(quota.reserve(0, 500)?.at).toBe(0);
    expect(quota.reserve(0, 500)).toBeUndefined();
    // Nothing was booked by the refusal: the next caller, who can wait, gets the turn at 1 s.
    expect(quota.reserve(0, never)?.at).toBe(1000);
  });

  it('a throttling pauses every turn until the vendor says, voids turns booked before, and halves the rate once per pause', () => {
    const quota = new SourceQuota({ requestsPerSecond: 10, burst: 1 }, 0);
    const booked = quota.reserve(0, never)!;
    quota.throttled(0, 2000);
    quota.throttled(5, 2000); // an answer to a call already in flight: no second halving
    expect(quota.holds(booked)).toBe(false);
    expect(quota.snapshot()).toMatchObject({ requestsPerSecond: 5, pausedUntil: 2000, throttles: 1 });
    expect(quota.reserve(10, never)?.at).toBe(2200);
  });

  it('climbs back an eighth of the ceiling a second while calls succeed, and no higher', () => {
    const quota = new SourceQuota({ requestsPerSecond: 16, burst: 1 }, 0);
    quota.throttled(0, 1000);
    expect(quota.snapshot().requestsPerSecond).toBe(8);
    for (let now = 1000; now <= 20_000; now += 250) quota.succeeded(now);
    expect(quota.snapshot().requestsPerSecond).toBe(16);
    const climbed = new SourceQuota({ requestsPerSecond: 16, burst: 1 }, 0);
    climbed.throttled(0, 1000);
    climbed.succeeded(1000);
    climbed.succeeded(1500); // less than a second after the last step
    expect(climbed.snapshot().requestsPerSecond).toBe(10);
  });

  it('never believes a pause longer than MAX_PAUSE_MS, nor halves below a sixteenth', () => {
    const quota = new SourceQuota({ requestsPerSecond: 16, burst: 1 }, 0);
    quota.throttled(0, 10 * 365 * 24 * 3600 * 1000);
    expect(quota.snapshot().pausedUntil).toBe(MAX_PAUSE_MS);
    for (let round = 1; round <= 10; round += 1) quota.throttled(round * MAX_PAUSE_MS, undefined);
    expect(quota.snapshot().requestsPerSecond).toBe(1);
  });

  it("a vendor's published cap lowers the ceiling it recovers to", () => {
    const quota = new SourceQuota({ requestsPerSecond: 50, burst: 1 }, 0);
    quota.cap(30, 0);
    quota.cap(80, 0);
    expect(quota.snapshot()).toMatchObject({ requestsPerSecond: 30, ceiling: 30 });
  });
});

describe('sources[].rateLimit in the config', () => {
  const source = { name: 'b', kind: 'blnk', url: 'http://127.0.0.1:1' };
  const parse = (rateLimit: unknown) => parseConfig({ sources: [{ ...source, rateLimit }] }).sources[0]?.transport;

  it('is off unless configured; burst defaults to 1', () => {
    expect(parseConfig({ sources: [source] }).sources[0]?.transport.rateLimit).toBeUndefined();
    expect(parse({ requestsPerSecond: 30 })?.rateLimit).toEqual({ requestsPerSecond: 30, burst: 1 });
  });

  it.each([
    [{ requestsPerSecond: 0 }, 'sources[0].rateLimit.requestsPerSecond: must be an integer from 1 to 100000'],
    [{ requestsPerSecond: 2.5 }, 'sources[0].rateLimit.requestsPerSecond: must be an integer from 1 to 100000'],
    [{}, 'sources[0].rateLimit.requestsPerSecond: required'],
    [{ requestsPerSecond: 5, burst: 0 }, 'sources[0].rateLimit.burst: must be an integer from 1 to 100000'],
    [{ requestsPerSecond: 5, perMinute: 3 }, 'sources[0].rateLimit.perMinute: unknown field'],
  ])('refuses %j', (rateLimit, message) => {
    expect(() => parse(rateLimit)).toThrow(message);
  });
});

describe('withRateLimit and an open breaker', () => {
  it('refuses at once while the breaker is open, without waiting for a turn or spending one', async () => {
    const breaker = new CircuitBreaker('blnk', { failureThreshold: 1, openMs: 60_000 });
    const report = await breaker.admit();
    report('failure');
    const quota = new SourceQuota({ requestsPerSecond: 1, burst: 1 });
    let sent = 0;
    const send = withRateLimit(
      'blnk',
      { quota, breaker },
      async () => {
        sent += 1;
        return { status: 200, headers: {}, text: '' };
      },
      60_000,
    );
    const refusals = await Promise.allSettled([1, 2, 3].map(() => send({ method: 'GET', path: '/x' }, '/x')));
    for (const refusal of refusals) {
      expect(refusal.status).toBe('rejected');
      expect((refusal as PromiseRejectedResult).reason).toBeInstanceOf(SourceError);
      expect(((refusal as PromiseRejectedResult).reason as SourceError).code).toBe('SOURCE_UNAVAILABLE');
    }
    expect(sent).toBe(0);
    // No turn was spent: the bucket's one token is still there.
    expect(quota.reserve(Date.now(), Date.now())?.at).toBeLessThanOrEqual(Date.now());
  });
});
