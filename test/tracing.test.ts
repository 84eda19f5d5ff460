import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_QUERY } from '../src/server.ts';
import { logLine, run, waitFor } from './helpers/cli.ts';
import { startTestGateway } from './helpers/gateway.ts';
import { secretsOf } from './helpers/secrets.ts';

/**
 * Traces, end to end: a plain node:http OTLP/HTTP receiver on 127.0.0.1 takes the gateway's
 * export (JSON encoding), and the simulators' request logs show the `traceparent` each vendor got.
 */
interface ExportedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Record<string, string | number | boolean>;
  status: { code?: number; message?: string };
  serviceName: string;
}

interface Receiver {
  url: string;
  spans: ExportedSpan[];
  posts: number;
  close(): Promise<void>;
}

type OtlpValue = { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number };
type OtlpAttribute = { key: string; value: OtlpValue };

function attributeValue(value: OtlpValue): string | number | boolean {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.boolValue !== undefined) return value.boolValue;
  return Number(value.doubleValue);
}

const attributes = (list: OtlpAttribute[] = []) =>
  Object.fromEntries(list.map(({ key, value }) => [key, attributeValue(value)]));

async function startReceiver(): Promise<Receiver> {
  const spans: ExportedSpan[] = [];
  let posts = 0;
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== '/v1/traces') {
        response.writeHead(404).end();
        return;
      }
      expect(request.headers['content-type']).toBe('application/json');
      posts += 1;
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      for (const resourceSpans of body.resourceSpans ?? []) {
        const serviceName = String(attributes(resourceSpans.resource?.attributes)['service.name']);
        for (const scopeSpans of resourceSpans.scopeSpans ?? [])
          for (const span of scopeSpans.spans ?? [])
            spans.push({
              traceId: span.traceId,
              spanId: span.spanId,
              parentSpanId: span.parentSpanId || undefined,
              name: span.name,
              kind: span.kind,
              attributes: attributes(span.attributes),
              status: span.status ?? {},
              serviceName,
            });
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    spans,
    get posts() {
      return posts;
    },
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const SERVER = 2;
const CLIENT = 3;
const ERROR = 2;

const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()?.();
});

function callerContext() {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  return { traceId, spanId, traceparent: `00-${traceId}-${spanId}-01` };
}

async function post(url: string, query: string, traceparent?: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(traceparent ? { traceparent } : {}) },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, text: await response.text() };
}

describe('traces', () => {
  it('exports the operation span under the caller, a span per vendor call under it, and sends its context to every vendor', async () => {
    const receiver = await startReceiver();
    closers.push(() => receiver.close());
    const test = await startTestGateway({
      server: { telemetry: { otlpEndpoint: receiver.url, serviceName: 'gateway-under-test' } },
    });
    let closed = false;
    closers.push(async () => {
      if (!closed) await test.close();
    });
    const url = await test.listen();
    const caller = callerContext();
    const answer = await post(url, DEFAULT_QUERY, caller.traceparent);
    expect(answer.status).toBe(200);
    await test.demo.simulators.blnk.setFault('refuse');
    const failing = callerContext();
    const partial = await post(url, '{ ledgers(first: 100) { nodes { name } } }', failing.traceparent);
    expect(partial.text).toContain('SOURCE_UNAVAILABLE');
    const received = Object.values(test.demo.simulators).flatMap((simulator) =>
      simulator.requests.map((request) => request.headers.traceparent),
    );
    // Flush on shutdown: BatchSpanProcessor would otherwise wait for its next tick.
    await test.close();
    closed = true;

    const spans = receiver.spans;
    expect(spans.every((span) => span.serviceName === 'gateway-under-test')).toBe(true);
    const inTrace = spans.filter((span) => span.traceId === caller.traceId);
    const [operation, ...others] = inTrace.filter((span) => span.kind === SERVER);
    expect(others).toEqual([]);
    expect(operation).toMatchObject({
      parentSpanId: caller.spanId,
      name: 'query other',
      attributes: {
        'graphql.operation.type': 'query',
        'graphql.operation.name': 'FirstLook',
        'balance_gateway.outcome': 'ok',
        'http.response.status_code': 200,
      },
    });
    const calls = inTrace.filter((span) => span.kind === CLIENT);
    const byId = new Map(inTrace.map((span) => [span.spanId, span]));
    // Each vendor call hangs under the operation (a token call under the call that needed it).
    for (const call of calls) {
      let parent = byId.get(String(call.parentSpanId));
      while (parent?.kind === CLIENT) parent = byId.get(String(parent.parentSpanId));
      expect(parent?.spanId, call.name).toBe(operation?.spanId);
    }
    const sources = new Set(calls.map((call) => call.attributes['balance_gateway.source']));
    expect([...sources]).toEqual(expect.arrayContaining(['formance-demo', 'blnk-demo']));
    const blnkLedgers = calls.find(
      (call) => call.name === 'GET /ledgers' && call.attributes['balance_gateway.source'] === 'blnk-demo',
    );
    expect(blnkLedgers?.attributes).toMatchObject({
      'balance_gateway.call': 'GET /ledgers',
      'http.request.method': 'GET',
      'url.template': '/ledgers',
      'http.response.status_code': 200,
      'balance_gateway.breaker.state': 'CLOSED',
      'balance_gateway.outcome': 'ok',
    });

    // Every vendor request of the first operation carried a traceparent of the caller's trace,
    // naming one of the exported vendor-call spans as its parent.
    const callIds = new Set(calls.map((call) => call.spanId));
    const ofFirst = received.filter((header) => header?.includes(caller.traceId));
    expect(ofFirst.length).toBeGreaterThanOrEqual(calls.length);
    for (const header of ofFirst) expect(callIds.has(String(header?.split('-')[2]))).toBe(true);
    expect(received.every((header) => /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/.test(String(header)))).toBe(true);

    // The failing source: its span records the code and the retries, never the vendor's URL or body.
    const failed = spans.find(
      (span) =>
        span.traceId === failing.traceId &&
        span.kind === CLIENT &&
        span.attributes['balance_gateway.source'] === 'blnk-demo',
    );
    expect(failed?.status).toMatchObject({ code: ERROR, message: 'SOURCE_UNAVAILABLE' });
    expect(failed?.attributes).toMatchObject({ 'error.type': 'SOURCE_UNAVAILABLE', 'http.request.resend_count': 2 });
    const failingOperation = spans.find((span) => span.traceId === failing.traceId && span.kind === SERVER);
    expect(failingOperation).toMatchObject({ parentSpanId: failing.spanId, status: { code: ERROR } });
    const secrets = secretsOf(test.demo);
    for (const span of spans) {
      expect(Object.keys(span.attributes)).not.toContain('url.full');
      const text = JSON.stringify(span);
      for (const secret of secrets) expect(text.includes(secret), `a span holds ${secret}`).toBe(false);
      expect(text).not.toContain('ledgers(');
    }
  });

  it('starts a trace of its own for a malformed traceparent, and keeps a long operation name bounded', async () => {
    const receiver = await startReceiver();
    closers.push(() => receiver.close());
    const test = await startTestGateway({ server: { telemetry: { otlpEndpoint: receiver.url } } });
    const url = await test.listen();
    const name = `Long${'x'.repeat(1000)}`;
    const forged = `00-${'0'.repeat(32)}-${'a'.repeat(16)}-01`;
    expect((await post(url, `query ${name} { ledgers(first: 1) { nodes { name } } }`, forged)).status).toBe(200);
    const sent = test.demo.simulators.formance.requests.map((request) => request.headers.traceparent);
    await test.close();
    const operation = receiver.spans.find((span) => span.kind === SERVER);
    expect(operation?.parentSpanId).toBeUndefined();
    expect(operation?.traceId).toMatch(/^(?!0+$)[0-9a-f]{32}$/);
    expect(String(operation?.attributes['graphql.operation.name']).length).toBe(128);
    expect(sent.length).toBeGreaterThan(0);
    for (const header of sent) expect(header?.split('-')[1]).toBe(operation?.traceId);
  });

  it('exports nothing and sends no traceparent when no endpoint is set', async () => {
    const receiver = await startReceiver();
    closers.push(() => receiver.close());
    const test = await startTestGateway();
    closers.push(() => test.close());
    expect(test.gateway.telemetry.tracing).toBeNull();
    const url = await test.listen();
    expect((await post(url, DEFAULT_QUERY, callerContext().traceparent)).status).toBe(200);
    const headers = Object.values(test.demo.simulators).flatMap((simulator) =>
      simulator.requests.map((request) => request.headers.traceparent),
    );
    expect(headers.length).toBeGreaterThan(3);
    expect(headers.every((header) => header === undefined)).toBe(true);
  });

  it('exports to OTEL_EXPORTER_OTLP_ENDPOINT and flushes when the process drains on SIGTERM', async () => {
    const receiver = await startReceiver();
    closers.push(() => receiver.close());
    const gateway = run(['--demo', '--port', '0', '--log-level', 'error'], {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    });
    closers.push(async () => {
      gateway.stop();
      await gateway.exited;
    });
    const url = String((await waitFor(gateway, /listening on (http:\/\/\S+\/graphql)/))[1]);
    const caller = callerContext();
    expect((await post(url, '{ ledgers(first: 2) { nodes { name } } }', caller.traceparent)).status).toBe(200);
    // Spans wait up to 5 s in the batch; the process exits sooner, so they arrive only if shutdown flushes them.
    gateway.stop();
    expect(await gateway.exited).toBe(0);
    const operation = receiver.spans.find((span) => span.traceId === caller.traceId && span.kind === SERVER);
    expect(operation?.parentSpanId).toBe(caller.spanId);
    expect(operation?.serviceName).toBe('balance-gateway');
    expect(receiver.spans.some((span) => span.parentSpanId === operation?.spanId && span.kind === CLIENT)).toBe(true);
  });
  it('still drains and exits 0 when the collector is down, warning with the error code only', async () => {
    // A port nothing listens on any more.
    const gone = await startReceiver();
    await gone.close();
    const gateway = run(['--demo', '--port', '0', '--log-level', 'warn'], { OTEL_EXPORTER_OTLP_ENDPOINT: gone.url });
    closers.push(async () => {
      gateway.stop();
      await gateway.exited;
    });
    const url = String((await waitFor(gateway, /listening on (http:\/\/\S+\/graphql)/))[1]);
    expect((await post(url, '{ sources { name } }', callerContext().traceparent)).status).toBe(200);
    gateway.stop();
    expect(await gateway.exited).toBe(0);
    // Whatever the log format nests the fields in.
    expect(JSON.stringify(logLine(gateway, 'traces could not be exported at shutdown'))).toContain(
      '"code":"ECONNREFUSED"',
    );
    expect(gateway.output()).not.toContain(gone.url);
  });
});
