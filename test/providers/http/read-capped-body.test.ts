import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { capped, client, closeAll, failure, json, startServer } from './test-server.ts';

// Decompression (gzip, deflate, br) and the size cap, counted after decompression.
afterEach(closeAll);

describe('HttpClient: limits', () => {
  it.each([
    ['with a content-length', false],
    ['chunked, without a content-length', true],
  ])('refuses a response larger than maxResponseBytes, %s', async (_label, chunked) => {
    const server = await startServer((_request, response) => {
      const body = Buffer.alloc(4096, 'x');
      if (chunked) {
        response.writeHead(200, { 'content-type': 'application/json' });
        for (let offset = 0; offset < body.length; offset += 512) response.write(body.subarray(offset, offset + 512));
        response.end();
      } else {
        json(response, 200, body.toString());
      }
    });
    const http = client(server, capped(1000));
    const error = await failure(http.send({ method: 'GET', path: '/big' }));
    expect(error.code).toBe('SOURCE_BAD_RESPONSE');
    expect(http.calls).toBe(1);
    expect(server.received[0]?.url).toBe('/api/ledger/big');
  });

  it('accepts a response of exactly maxResponseBytes', async () => {
    const server = await startServer((_request, response) => json(response, 200, `"${'x'.repeat(998)}"`));
    expect((await client(server, capped(1000)).send({ method: 'GET', path: '/fits' })).text).toHaveLength(1000);
  });
});

describe('HttpClient: compressed bodies', () => {
  it('asks for gzip, deflate and br, and decodes each', async () => {
    const body = JSON.stringify({ amount: '123456789012345678901234567890' });
    const encoders: Record<string, (input: Buffer) => Buffer> = {
      gzip: gzipSync,
      deflate: deflateSync,
      br: brotliCompressSync,
    };
    for (const [encoding, encode] of Object.entries(encoders)) {
      const server = await startServer((_request, response) =>
        json(response, 200, encode(Buffer.from(body)) as unknown as string, { 'content-encoding': encoding }),
      );
      expect((await client(server).json({ method: 'GET', path: '/z' })).body).toEqual({
        amount: '123456789012345678901234567890',
      });
      expect(server.received[0]?.headers['accept-encoding']).toBe('gzip, deflate, br');
    }
  });

  it('caps the decompressed size: a 64 MiB gzip bomb of 64 KiB is cut at the cap', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, ' '));
    expect(bomb.length).toBeLessThan(128 * 1024);
    const server = await startServer((_request, response) =>
      json(response, 200, bomb as unknown as string, { 'content-encoding': 'gzip' }),
    );
    const before = process.memoryUsage().rss;
    const error = await failure(
      client(server, { ...capped(1024 * 1024), timeoutMs: 5000 }).send({ method: 'GET', path: '/bomb' }),
    );
    expect(error.code).toBe('SOURCE_BAD_RESPONSE');
    expect(error.message).toBe('source "acme" sent a response larger than the gateway accepts (1048576 bytes)');
    expect(process.memoryUsage().rss - before).toBeLessThan(48 * 1024 * 1024);
  });

  it('a corrupt compressed body or an encoding never asked for is SOURCE_BAD_RESPONSE', async () => {
    const corrupt = await startServer((_request, response) =>
      json(response, 200, 'not gzip at all', { 'content-encoding': 'gzip' }),
    );
    expect((await failure(client(corrupt).send({ method: 'GET', path: '/c' }))).message).toBe(
      'source "acme" sent a compressed body that does not decompress',
    );
    const brotli = await startServer((_request, response) =>
      json(response, 200, 'not brotli at all, not at all', { 'content-encoding': 'br' }),
    );
    const broken = await failure(client(brotli).send({ method: 'GET', path: '/b' }));
    expect([broken.code, broken.message]).toEqual([
      'SOURCE_BAD_RESPONSE',
      'source "acme" sent a compressed body that does not decompress',
    ]);
    expect(brotli.received).toHaveLength(1); // not retried: the body is the same on every try
    const odd = await startServer((_request, response) => json(response, 200, '{}', { 'content-encoding': 'zstd' }));
    expect((await failure(client(odd).send({ method: 'GET', path: '/o' }))).message).toBe(
      'source "acme" sent a body in an encoding the gateway did not ask for',
    );
  });
});

describe('HttpClient: a declared size over the cap', () => {
  it('is refused from the headers, without waiting for the body', async () => {
    const server = await startServer((_request, response) => {
      // Declares 10 MB, sends a little and then nothing: reading it would last until the deadline.
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(10_000_000) });
      response.write('[1,2,3');
    });
    const http = client(server, { ...capped(1000), timeoutMs: 5000 });
    const started = Date.now();
    const error = await failure(http.send({ method: 'GET', path: '/declared' }));
    expect([error.code, error.message]).toEqual([
      'SOURCE_BAD_RESPONSE',
      'source "acme" sent a response larger than the gateway accepts (1000 bytes)',
    ]);
    expect(Date.now() - started).toBeLessThan(2500);
    expect(http.calls).toBe(1);
  });
});
