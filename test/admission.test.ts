import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.ts';
import { createGateway } from '../src/gateway.ts';
import { createLogger } from '../src/logger.ts';
import { BLNK_DEMO_API_KEY, BLNK_DEMO_CURRENCY_SCALES, startBlnkSimulator } from '../src/simulators/blnk/index.ts';
import { startHeldVendor } from './helpers/held-vendor.ts';

/**
 * Admission control, through a real socket: a vendor that holds its requests until the test lets
 * them go makes "every slot busy, the queue full" a state, not a timing, so each assertion below
 * is about what answers while the vendor is held, and how many calls the vendor saw.
 */
const KEY = 'admission-test-key-0123456789';
/** Each request asks a different page size: the gateway shares identical vendor GETs in flight, and here each must be its own. */
let pageSize = 0;
const query = () => `{ ledgers(first: ${(pageSize++ % 100) + 1}) { nodes { name } } }`;

interface Answer {
  status: number;
  headers: Headers;
  body: { data?: unknown; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
}

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function startHeldGateway(server: Record<string, unknown>) {
  const blnk = await startBlnkSimulator({ apiKey: BLNK_DEMO_API_KEY });
  closers.push(() => blnk.close());
  const vendor = await startHeldVendor(blnk.url);
  closers.push(() => vendor.close());
  const logs: string[] = [];
  const config = parseConfig({
    server: {
      cursorSecret: 'admission-cursor-secret-0123456789',
      auth: { apiKeys: [{ name: 'ops', sha256: createHash('sha256').update(KEY).digest('hex'), sources: ['*'] }] },
      ...server,
    },
    sources: [
      {
        name: 'held',
        kind: 'blnk',
        url: vendor.url,
        auth: { apiKey: BLNK_DEMO_API_KEY },
        currencyScales: BLNK_DEMO_CURRENCY_SCALES,
        timeoutMs: 60_000,
      },
    ],
  });
  const gateway = createGateway(config, { logger: createLogger('debug', (line) => logs.push(line)) });
  const listener = createServer(gateway.yoga);
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  closers.push(async () => {
    listener.closeAllConnections();
    await new Promise((resolve) => listener.close(resolve));
    await gateway.close();
  });
  const origin = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
  const logged = (message: string) => logs.filter((line) => JSON.parse(line).msg === message).length;
  return {
    origin,
    vendor,
    logs,
    /** POSTs `body` (the test query by default) with the API key unless `headers` replace it. */
    async post(options: { body?: string; headers?: Record<string, string>; signal?: AbortSignal } = {}) {
      const response = await fetch(`${origin}/graphql`, {
        method: 'POST',
        headers: options.headers ?? { 'content-type': 'application/json', 'x-api-key': KEY },
        body: options.body ?? JSON.stringify({ query: query() }),
        signal: options.signal,
      });
      return { status: response.status, headers: response.headers, body: await response.json() } as Answer;
    },
    /** Resolves once the gateway has logged `message` at least `count` times. */
    async waitForLog(message: string, count: number) {
      for (let tries = 0; logged(message) < count; tries += 1) {
        if (tries > 1000) throw new Error(`"${message}" logged ${logged(message)} times, expected ${count}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
  };
}

const served = { status: 200, data: { ledgers: { nodes: expect.arrayContaining([{ name: expect.any(String) }]) } } };
const summary = (answer: Answer) => ({ status: answer.status, data: answer.body.data });

describe('admission control', () => {
  it('answers 503 OVERLOADED with Retry-After at once beyond the slots and the queue, before parsing or authentication', async () => {
    const gateway = await startHeldGateway({ maxConcurrentRequests: 2, maxQueuedRequests: 2, queueTimeoutMs: 60_000 });
    const inFlight = [gateway.post(), gateway.post()];
    await gateway.vendor.waitForHeld(2);
    const queued = [gateway.post(), gateway.post()];
    await gateway.waitForLog('request queued', 2);

    const refused = await gateway.post();
    expect([refused.status, refused.headers.get('retry-after'), refused.body]).toEqual([
      503,
      '60',
      { errors: [{ message: 'the gateway is at capacity; retry after 60 s', extensions: { code: 'OVERLOADED' } }] },
    ]);
    // Operators see it: one warning per 10 s at most, counting the refusals since the last.
    expect(gateway.logs.map((line) => JSON.parse(line)).filter((line) => line.level === 'warn')).toEqual([
      expect.objectContaining({
        msg: 'shedding load: answering 503',
        queueFull: 1,
        queueTimeout: 0,
        inFlight: 2,
        queued: 2,
        slots: 2,
      }),
    ]);
    // Neither authenticated nor parseable: refused the same way, so neither step ran.
    const stranger = await gateway.post({ headers: { 'content-type': 'application/json' }, body: '{"query": ' });
    expect([stranger.status, stranger.body.errors?.[0]?.extensions?.code]).toEqual([503, 'OVERLOADED']);
    // The probes are never queued: they answer while every slot is held at the vendor.
    expect((await fetch(`${gateway.origin}/health`)).status).toBe(200);
    expect((await fetch(`${gateway.origin}/ready`)).status).toBe(200);
    expect(gateway.vendor.calls).toBe(2);

    await gateway.vendor.release({ open: true });
    expect((await Promise.all([...inFlight, ...queued])).map(summary)).toEqual([served, served, served, served]);
    expect(gateway.vendor.calls).toBe(4);
    expect((await gateway.post()).status).toBe(200);
  });

  it('refuses a request still queued after queueTimeoutMs, which never reaches the vendor', async () => {
    const gateway = await startHeldGateway({ maxConcurrentRequests: 1, maxQueuedRequests: 1, queueTimeoutMs: 50 });
    const first = gateway.post();
    await gateway.vendor.waitForHeld(1);
    const late = await gateway.post();
    expect([late.status, late.headers.get('retry-after'), late.body.errors?.[0]?.extensions]).toEqual([
      503,
      '1',
      { code: 'OVERLOADED' },
    ]);
    expect(gateway.vendor.calls).toBe(1);
    await gateway.vendor.release({ open: true });
    expect(summary(await first)).toEqual(served);
  });

  it('lets a client that leaves the queue free its place; its request never reaches the vendor', async () => {
    const gateway = await startHeldGateway({ maxConcurrentRequests: 1, maxQueuedRequests: 1, queueTimeoutMs: 60_000 });
    const first = gateway.post();
    await gateway.vendor.waitForHeld(1);
    const leaving = new AbortController();
    const gone = gateway.post({ signal: leaving.signal }).catch((error: Error) => error.name);
    await gateway.waitForLog('request queued', 1);
    leaving.abort();
    expect(await gone).toBe('AbortError');
    await gateway.waitForLog('client left while queued', 1);
    // The queue has room again: this one waits instead of being refused.
    const next = gateway.post();
    await gateway.waitForLog('request queued', 2);
    await gateway.vendor.release({ open: true });
    expect((await Promise.all([first, next])).map(summary)).toEqual([served, served]);
    expect(gateway.vendor.calls).toBe(2);
  });

  it('counts the GraphiQL page against the bound: refused while saturated, served after', async () => {
    const gateway = await startHeldGateway({ maxConcurrentRequests: 1, maxQueuedRequests: 0, queueTimeoutMs: 1000 });
    const page = () => fetch(`${gateway.origin}/graphql`, { headers: { accept: 'text/html' } });
    const first = gateway.post();
    await gateway.vendor.waitForHeld(1);
    const refused = await page();
    expect([refused.status, refused.headers.get('content-type'), (await refused.json()).errors[0].extensions]).toEqual([
      503,
      'application/json; charset=utf-8',
      { code: 'OVERLOADED' },
    ]);
    await gateway.vendor.release({ open: true });
    expect(summary(await first)).toEqual(served);
    const shown = await page();
    expect([shown.status, shown.headers.get('content-type')]).toEqual([200, 'text/html']);
    expect(await shown.text()).toContain('balance-gateway');
  });

  it('holds a slot until the answer is handed to the socket: a client that stops reading keeps it', async () => {
    const gateway = await startHeldGateway({ maxConcurrentRequests: 1, maxQueuedRequests: 0, queueTimeoutMs: 1000 });
    await gateway.vendor.release({ open: true });
    // The GraphiQL page is 9 MB, more than the kernel's socket buffers hold, so most of it stays
    // with the gateway until this client reads it.
    const socket = connect(Number(new URL(gateway.origin).port), '127.0.0.1');
    const chunks: Buffer[] = [];
    const started = new Promise((resolve) => socket.once('data', resolve));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.write('GET /graphql HTTP/1.1\r\nhost: gateway\r\naccept: text/html\r\nconnection: close\r\n\r\n');
    await started;
    socket.pause();
    expect((await gateway.post()).status).toBe(503);
    const ended = new Promise((resolve) => socket.once('end', resolve));
    socket.resume();
    await ended;
    expect(Buffer.concat(chunks).toString('latin1')).toMatch(/^HTTP\/1\.1 200 [\s\S]*<\/html>\s*$/);
    expect(summary(await gateway.post())).toEqual(served);
  });

  it('closes the connection of a reader that makes no progress for writeTimeoutMs, freeing its slot', async () => {
    const gateway = await startHeldGateway({
      maxConcurrentRequests: 1,
      maxQueuedRequests: 1,
      queueTimeoutMs: 60_000,
      writeTimeoutMs: 100,
    });
    await gateway.vendor.release({ open: true });
    const socket = connect(Number(new URL(gateway.origin).port), '127.0.0.1');
    let received = 0;
    const started = new Promise((resolve) => socket.once('data', resolve));
    socket.on('data', (chunk: Buffer) => (received += chunk.length));
    socket.write('GET /graphql HTTP/1.1\r\nhost: gateway\r\naccept: text/html\r\n\r\n');
    await started;
    socket.pause();
    // Queued behind the stalled page: it gets the slot only when the gateway gives up on that reader.
    expect(summary(await gateway.post())).toEqual(served);
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.resume();
    await closed;
    expect(received).toBeLessThan(9_000_000);
  });

  it('narrows to sheddingConcurrentRequests once it refuses: freed slots go unused until fewer are in flight', async () => {
    const gateway = await startHeldGateway({
      maxConcurrentRequests: 3,
      sheddingConcurrentRequests: 1,
      maxQueuedRequests: 2,
      queueTimeoutMs: 60_000,
    });
    const held = Array.from({ length: 3 }, () => gateway.post());
    await gateway.vendor.waitForHeld(3);
    const queued = [gateway.post(), gateway.post()];
    await gateway.waitForLog('request queued', 2);
    expect((await gateway.post()).status).toBe(503);
    const warning = gateway.logs.map((line) => JSON.parse(line)).find((line) => line.level === 'warn');
    expect(warning).toEqual(expect.objectContaining({ inFlight: 3, queued: 2, slots: 1 }));

    // The three answer; of their slots only the last is handed on, to the oldest waiter.
    await gateway.vendor.release();
    expect((await Promise.all(held)).map(summary)).toEqual([served, served, served]);
    await gateway.vendor.waitForHeld(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(gateway.vendor.calls).toBe(4);
    // One at a time while it sheds: the second waiter reaches the vendor only once the first is answered.
    await gateway.vendor.release();
    expect(summary(await queued[0]!)).toEqual(served);
    await gateway.vendor.waitForHeld(1);
    expect(gateway.vendor.calls).toBe(5);
    await gateway.vendor.release({ open: true });
    expect(summary(await queued[1]!)).toEqual(served);
  });

  it('frees every slot it gave: after many refused, abandoned and answered requests, all slots serve again', async () => {
    const gateway = await startHeldGateway({ maxConcurrentRequests: 3, maxQueuedRequests: 2, queueTimeoutMs: 60_000 });
    const held = Array.from({ length: 3 }, () => gateway.post());
    await gateway.vendor.waitForHeld(3);
    const leaving = new AbortController();
    const queued = [gateway.post({ signal: leaving.signal }).catch(() => 'left'), gateway.post()];
    await gateway.waitForLog('request queued', 2);
    const refused = await Promise.all(Array.from({ length: 20 }, () => gateway.post()));
    expect(new Set(refused.map((answer) => answer.status))).toEqual(new Set([503]));
    leaving.abort();
    await gateway.waitForLog('client left while queued', 1);
    await gateway.vendor.release();
    await gateway.vendor.waitForHeld(1); // the one still queued took a freed slot
    await gateway.vendor.release({ open: true });
    expect((await Promise.all([...held, queued[1]!])).map((answer) => summary(answer as Answer))).toEqual([
      served,
      served,
      served,
      served,
    ]);
    // No slot leaked: three requests reach the held vendor at once again.
    await gateway.vendor.release();
    const again = Array.from({ length: 3 }, () => gateway.post());
    await gateway.vendor.waitForHeld(3);
    await gateway.vendor.release({ open: true });
    expect((await Promise.all(again)).map(summary)).toEqual([served, served, served]);
  });
});

describe('admission settings', () => {
  const sources = [{ name: 'b', kind: 'blnk', url: 'http://127.0.0.1:1', currencyScales: { USD: 2 } }];
  it('default to 32 in flight, 32 while shedding, 128 queued, a 5 s wait, 30 s to write', () => {
    const { server } = parseConfig({ sources });
    expect([
      server.maxConcurrentRequests,
      server.sheddingConcurrentRequests,
      server.maxQueuedRequests,
      server.queueTimeoutMs,
      server.writeTimeoutMs,
    ]).toEqual([32, 32, 128, 5000, 30_000]);
  });

  it('shed to at most maxConcurrentRequests: a lower one alone lowers it, a larger one beside it is refused', () => {
    const slots = (server: Record<string, unknown>) => {
      const config = parseConfig({ server, sources }).server;
      return [config.maxConcurrentRequests, config.sheddingConcurrentRequests];
    };
    expect(slots({ maxConcurrentRequests: 16 })).toEqual([16, 16]);
    expect(slots({ maxConcurrentRequests: 64 })).toEqual([64, 32]);
    expect(slots({ sheddingConcurrentRequests: 8 })).toEqual([32, 8]);
    expect(() => parseConfig({ server: { maxConcurrentRequests: 8, sheddingConcurrentRequests: 9 }, sources })).toThrow(
      'server.sheddingConcurrentRequests: must be at most server.maxConcurrentRequests',
    );
  });

  it.each([
    ['maxConcurrentRequests', 0, 'server.maxConcurrentRequests: must be an integer from 1 to 100000'],
    ['sheddingConcurrentRequests', 0, 'server.sheddingConcurrentRequests: must be an integer from 1 to 100000'],
    ['maxQueuedRequests', -1, 'server.maxQueuedRequests: must be an integer from 0 to 1000000'],
    ['queueTimeoutMs', 'soon', 'server.queueTimeoutMs: must be an integer from 1 to 600000'],
    ['writeTimeoutMs', 0, 'server.writeTimeoutMs: must be an integer from 1 to 600000'],
  ])('refuse a bad %s with a line naming the field', (field, value, message) => {
    expect(() => parseConfig({ server: { [field]: value }, sources })).toThrow(message);
  });
});
