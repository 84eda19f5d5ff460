import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseEncoding } from '../src/plugins/compression.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';

// Compressed answers over a real socket (undici's request does not decompress, so the test sees the bytes sent).
const LARGE =
  '{ ledgers(first: 30) { nodes { id name source { name } balances(first: 5) { nodes { asset total { amount minorUnits scale } } } } } }';
const SMALL = '{ sources { name } }';

describe('response compression', () => {
  let gateway: TestGateway;
  let url = '';
  beforeAll(async () => {
    gateway = await startTestGateway();
    url = await gateway.listen();
  });
  afterAll(() => gateway.close());

  const ask = async (query: string, headers: Record<string, string>) => {
    const answer = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
      body: JSON.stringify({ query }),
    });
    const bytes = Buffer.from(await answer.body.arrayBuffer());
    return { headers: answer.headers, bytes };
  };

  it('compresses a large answer with br or gzip as asked, and it decompresses to the same answer', async () => {
    const plain = await ask(LARGE, {});
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toContain('accept-encoding');
    expect(plain.bytes.byteLength).toBeGreaterThan(1024);
    const answer = JSON.parse(plain.bytes.toString('utf8'));
    expect(answer.errors).toBeUndefined();

    const br = await ask(LARGE, { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(br.headers.vary).toContain('accept-encoding');
    expect(Number(br.headers['content-length'])).toBe(br.bytes.byteLength);
    expect(br.bytes.byteLength).toBeLessThan(plain.bytes.byteLength / 2);
    expect(JSON.parse(brotliDecompressSync(br.bytes).toString('utf8'))).toEqual(answer);

    const gzip = await ask(LARGE, { 'accept-encoding': 'gzip;q=1, br;q=0.5' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(gzip.bytes).toString('utf8'))).toEqual(answer);

    const refused = await ask(LARGE, { 'accept-encoding': 'br;q=0, gzip;q=0, deflate' });
    expect(refused.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(refused.bytes.toString('utf8'))).toEqual(answer);
  });

  it('sends an answer under 1 KiB as it is, still with Vary', async () => {
    const small = await ask(SMALL, { 'accept-encoding': 'br, gzip' });
    expect(small.bytes.byteLength).toBeLessThan(1024);
    expect(small.headers['content-encoding']).toBeUndefined();
    expect(small.headers.vary).toContain('accept-encoding');
    expect(JSON.parse(small.bytes.toString('utf8')).data.sources.length).toBeGreaterThan(0);
  });

  it('never compresses an event stream, however large', async () => {
    const stream = await ask(LARGE, { accept: 'text/event-stream', 'accept-encoding': 'br, gzip' });
    expect(stream.headers['content-type']).toContain('text/event-stream');
    // yoga marks its event streams `content-encoding: none` (so proxies leave them alone too).
    expect(stream.headers['content-encoding'] ?? 'none').toBe('none');
    const text = stream.bytes.toString('utf8');
    expect(text.length).toBeGreaterThan(1024);
    expect(text).toContain('event: next');
    expect(text).toContain('minorUnits');
  });

  it('chooses by q-value, br on a tie, * for any coding not named', () => {
    expect(chooseEncoding(null)).toBeNull();
    expect(chooseEncoding('gzip, deflate, br, zstd')).toBe('br');
    expect(chooseEncoding('gzip')).toBe('gzip');
    expect(chooseEncoding('GZIP;Q=0.8, br;q=0.2')).toBe('gzip');
    expect(chooseEncoding('*')).toBe('br');
    expect(chooseEncoding('br;q=0, *;q=0.1')).toBe('gzip');
    expect(chooseEncoding('identity, deflate')).toBeNull();
    expect(chooseEncoding('br;q=0, gzip;q=0')).toBeNull();
    expect(chooseEncoding('br;q=abc')).toBeNull();
  });
});
