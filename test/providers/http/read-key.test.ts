import { afterEach, describe, expect, it } from 'vitest';
import { createSourceTransport, DEFAULT_TRANSPORT } from '../../../src/providers/http/index.ts';
import type { HttpClient } from '../../../src/providers/http/index.ts';
import { client, closeAll, json, startServer } from './test-server.ts';

// One read key per call (read-key.ts) serves the read cache and in-flight sharing: two reads that
// differ only in a credential header, or in the statuses they accept, never share an answer.
afterEach(closeAll);

const cached = () => ({
  transport: createSourceTransport('acme', {
    ...DEFAULT_TRANSPORT,
    cache: { ttlMs: 60_000, historyTtlMs: 60_000, maxBytes: 1_000_000, staleIfErrorMs: 0 },
  }),
});

/** A vendor that answers, after `delayMs`, with the credential the call carried (and 404 on `/missing`). */
const echoingVendor = (delayMs: number) =>
  startServer((request, response) =>
    setTimeout(
      () =>
        json(
          response,
          request.url?.includes('missing') ? 404 : 200,
          JSON.stringify({ who: request.headers.authorization ?? null }),
        ),
      delayMs,
    ),
  );

const read = (token: string) => ({ method: 'GET', path: '/ledgers', headers: { authorization: token } }) as const;

/** Alice, Bob and Alice again at once: each gets the answer sent for their own credential. */
async function expectEachOwnAnswer(http: HttpClient): Promise<void> {
  const answers = await Promise.all(['Bearer alice', 'Bearer bob', 'Bearer alice'].map((who) => http.json(read(who))));
  expect(answers.map((answer) => answer.body)).toEqual([
    { who: 'Bearer alice' },
    { who: 'Bearer bob' },
    { who: 'Bearer alice' },
  ]);
}

describe('HttpClient: what makes two reads the same', () => {
  it('never joins two GETs in flight that differ only in their credential; the same credential joins', async () => {
    const server = await echoingVendor(30);
    const http = client(server);
    await expectEachOwnAnswer(http);
    expect(server.received.map(({ headers }) => headers.authorization).sort()).toEqual(['Bearer alice', 'Bearer bob']);
  });

  it('with a read cache, never answers one credential from what another read, in flight or cached', async () => {
    const server = await echoingVendor(30);
    const http = client(server, cached());
    // Misses in flight together: joined by the key the cache looked up, never across credentials.
    await expectEachOwnAnswer(http);
    expect(server.received).toHaveLength(2);
    // Cached now, each under its own credential.
    expect((await http.json(read('Bearer bob'))).body).toEqual({ who: 'Bearer bob' });
    expect((await http.json(read('Bearer alice'))).body).toEqual({ who: 'Bearer alice' });
    expect(server.received).toHaveLength(2);
    // A credential the cache has not seen goes to the vendor.
    expect((await http.json(read('Bearer carol'))).body).toEqual({ who: 'Bearer carol' });
    expect(server.received).toHaveLength(3);
  });

  it('with a read cache, a 404 one caller accepted is never the answer of a caller that does not accept it', async () => {
    const server = await echoingVendor(0);
    const http = client(server, { ...cached(), retries: 0 });
    const lenient = await http.send({ method: 'GET', path: '/missing', accept: [404] });
    expect(lenient.status).toBe(404);
    await expect(http.send({ method: 'GET', path: '/missing' })).rejects.toMatchObject({ code: 'SOURCE_BAD_RESPONSE' });
    expect(server.received).toHaveLength(2);
    // The lenient read itself is cached.
    expect((await http.send({ method: 'GET', path: '/missing', accept: [404] })).status).toBe(404);
    expect(server.received).toHaveLength(2);
  });
});
