import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.ts';
import { createGateway, type Gateway } from '../src/gateway.ts';
import { createLogger } from '../src/logger.ts';
import { selfSignedCertificate } from './helpers/self-signed.ts';

/*
 * Each way a vendor can fail, made for real on 127.0.0.1 (or a name that cannot resolve), behind
 * one Blnk source each (named so that no name holds a cause's word): the warn line names the operator-level cause, the client sees the same
 * message it always did and no trace of the cause.
 */

type Listening = { close(): Promise<void>; url: string };

async function listen(server: Server | ReturnType<typeof createNetServer>, scheme: string): Promise<Listening> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        (server as Server).closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

const answering = (status: number, body: string) =>
  createHttpServer((_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json' }).end(body);
  });

describe('the cause of a source failure', () => {
  const servers: Listening[] = [];
  const logs: string[] = [];
  let gateway: Gateway;
  let closedPortUrl: string;
  let text: string;
  let errors: Array<{ message: string; path: string[]; extensions: Record<string, unknown> }>;

  beforeAll(async () => {
    const closed = await listen(createHttpServer(), 'http');
    await closed.close();
    closedPortUrl = closed.url;
    const resetting = createNetServer((socket) => socket.once('data', () => socket.resetAndDestroy()));
    const silent = createHttpServer(() => {}); // takes the request and never answers
    const started = {
      reset: await listen(resetting, 'http'),
      tls: await listen(
        createHttpsServer(selfSignedCertificate(), (_request, response) => response.end('{}')),
        'https',
      ),
      slow: await listen(silent, 'http'),
      unavailable: await listen(answering(503, '{"error":"down"}'), 'http'),
      large: await listen(answering(200, JSON.stringify({ padding: 'x'.repeat(4096) })), 'http'),
      garbled: await listen(answering(200, 'this is not JSON'), 'http'),
    };
    servers.push(...Object.values(started));
    const source = (name: string, url: string, more: Record<string, unknown> = {}) => ({
      kind: 'blnk',
      name,
      url,
      ...more,
    });
    const config = parseConfig({
      server: { cursorSecret: 'test-cursor-secret-0123456789' },
      sources: [
        source('alpha', 'http://no-such-host.invalid'),
        // Opens after one failure: the second request is refused by the breaker without a call.
        source('bravo', closedPortUrl, { circuitBreaker: { failureThreshold: 1, openMs: 60_000 } }),
        source('charlie', started.reset.url, { retries: 0 }),
        source('delta', started.tls.url),
        source('echo', started.slow.url, { timeoutMs: 400 }),
        source('foxtrot', started.unavailable.url),
        source('golf', started.large.url, { maxResponseBytes: 1024 }),
        source('hotel', started.garbled.url),
      ],
    });
    gateway = createGateway(config, { logger: createLogger('debug', (line) => logs.push(line)) });
    const response = await gateway.yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: '{ sources { name ledgers(first: 1) { nodes { name } } } }' }),
    });
    expect(response.status).toBe(200);
    text = await response.text();
    errors = JSON.parse(text).errors;
  });

  afterAll(async () => {
    await gateway?.close();
    await Promise.all(servers.map((server) => server.close()));
  });

  const warnFor = (source: string) =>
    logs
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.msg === 'source failed' && line.source === source);

  it.each([
    ['alpha', 'dns', 'SOURCE_UNAVAILABLE', 'source "alpha" could not be reached'],
    ['bravo', 'refused', 'SOURCE_UNAVAILABLE', 'source "bravo" could not be reached'],
    ['charlie', 'reset', 'SOURCE_UNAVAILABLE', 'source "charlie" could not be reached'],
    ['delta', 'tls', 'SOURCE_UNAVAILABLE', 'source "delta" could not be reached'],
    ['echo', 'timeout', 'SOURCE_TIMEOUT', 'source "echo" did not answer within 400 ms'],
    ['foxtrot', 'http_status', 'SOURCE_UNAVAILABLE', 'source "foxtrot" failed (HTTP 503)'],
    [
      'golf',
      'body_too_large',
      'SOURCE_BAD_RESPONSE',
      'source "golf" sent a response larger than the gateway accepts (1024 bytes)',
    ],
    [
      'hotel',
      'bad_body',
      'SOURCE_BAD_RESPONSE',
      'source "hotel" sent a response the gateway cannot read: body is not valid JSON',
    ],
  ])('%s: the warn line says %s, the client sees %s with its usual message', (source, cause, code, message) => {
    const lines = warnFor(source);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'warn', code, cause });
    if (cause === 'http_status') expect(lines[0]?.status).toBe(503);
    else expect(lines[0]).not.toHaveProperty('status');
    const error = errors.find((item) => item.extensions.source === source);
    expect(error?.extensions).toEqual({ code, source });
    expect(error?.message).toBe(message);
  });

  it('keeps every cause, error code of the socket and vendor address out of the response', () => {
    expect(errors).toHaveLength(8);
    for (const secret of ['"cause"', '"status"', 'ENOTFOUND', 'ECONNREFUSED', 'ECONNRESET', 'SELF_SIGNED', 'CERT'])
      expect(text).not.toContain(secret);
    for (const cause of ['dns', 'refused', 'reset', 'tls', 'timeout', 'http_status', 'body_too_large', 'bad_body'])
      expect(text).not.toMatch(new RegExp(`\\b${cause}\\b`));
    for (const server of [...servers.map((item) => item.url), closedPortUrl]) {
      const { host } = new URL(server);
      expect(text).not.toContain(host);
      for (const line of logs) expect(line).not.toContain(host);
    }
    for (const line of logs) expect(line).not.toContain('no-such-host');
  });

  it('says circuit_open when the breaker refused the call, and the client still sees its usual message', async () => {
    const response = await gateway.yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: '{ sources { name ledgers(first: 1) { nodes { name } } } }' }),
    });
    const answer = await response.text();
    const lines = warnFor('bravo');
    expect(lines.map((line) => line.cause)).toEqual(['refused', 'circuit_open']);
    expect(answer).not.toContain('circuit_open');
    expect(JSON.parse(answer).errors.find((item: { path: unknown[] }) => item.path[1] === 1)).toMatchObject({
      extensions: { code: 'SOURCE_UNAVAILABLE', source: 'bravo', circuit: 'OPEN' },
    });
  });
});
