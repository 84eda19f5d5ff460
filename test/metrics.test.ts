import { createHash } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.ts';
import { DEFAULT_QUERY } from '../src/server.ts';
import { startDemoSources } from '../src/simulators/demo.ts';
import { run, waitFor } from './helpers/cli.ts';
import { startTestGateway } from './helpers/gateway.ts';
import { startHeldVendor } from './helpers/held-vendor.ts';
import { until } from './helpers/until.ts';

/**
 * `/metrics` scraped over HTTP after real traffic against the simulators: the counters move as
 * they must, and no label carries an id, a concrete vendor path, a caller's operation name or query text.
 */
interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[String(key)] = String(value);
    samples.push({ name: String(match[1]), labels, value: Number(match[3]) });
  }
  return samples;
}

/** The sum of the samples named `name` whose labels include `labels`. */
function total(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((sample) => sample.name === name && Object.entries(labels).every(([k, v]) => sample.labels[k] === v))
    .reduce((sum, sample) => sum + sample.value, 0);
}

const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()?.();
});

async function started(options: Parameters<typeof startTestGateway>[0]) {
  const test = await startTestGateway(options);
  closers.push(() => test.close());
  const url = await test.listen();
  return { test, url, base: url.replace(/\/graphql$/, '') };
}

async function post(url: string, query: string, variables?: Record<string, unknown>) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function scrape(base: string): Promise<Sample[]> {
  const response = await fetch(`${base}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(await response.text());
}

/** Every `id` value in an answer. */
function idsIn(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) for (const item of value) idsIn(item, into);
  else if (value !== null && typeof value === 'object')
    for (const [key, item] of Object.entries(value)) {
      if (key === 'id' && typeof item === 'string') into.add(item);
      else idsIn(item, into);
    }
  return into;
}

describe('/metrics', () => {
  it('counts operations, vendor calls, a failing source and a limit refusal, with bounded labels only', async () => {
    const { test, url, base } = await started({
      server: { metrics: { operationNames: ['FirstLook'] } },
      sources: { 'blnk-demo': { circuitBreaker: { failureThreshold: 1, openMs: 600_000 } } },
    });
    const before = await scrape(base);

    const first = await post(url, DEFAULT_QUERY);
    expect(first.status).toBe(200);
    expect((first.body as { errors?: unknown }).errors).toBeUndefined();
    const ids = idsIn(first.body);
    expect(ids.size).toBeGreaterThan(5);
    const [someId] = ids;
    // A caller's own operation name, with an id in a variable: neither may become a label.
    const probe = await post(url, 'query Probe_x9f3kq($id: ID!) { node(id: $id) { id } }', { id: someId });
    expect(probe.status).toBe(200);

    await test.demo.simulators.blnk.setFault('refuse');
    const failing = await post(url, '{ ledgers(first: 100) { nodes { name } } }');
    const codes = ((failing.body.errors ?? []) as Array<{ extensions: { code: string; source?: string } }>).map(
      (error) => error.extensions,
    );
    expect(codes).toContainEqual({ code: 'SOURCE_UNAVAILABLE', source: 'blnk-demo' });
    const refused = await post(url, '{ ledgers(first: 1000) { nodes { name } } }');
    expect(JSON.stringify(refused.body)).toContain('LIMIT_EXCEEDED');

    const after = await scrape(base);
    const delta = (name: string, labels: Record<string, string> = {}) =>
      total(after, name, labels) - total(before, name, labels);
    expect(delta('balance_gateway_operations_total', { type: 'query', name: 'FirstLook', outcome: 'ok' })).toBe(1);
    expect(delta('balance_gateway_operations_total', { type: 'query', name: 'other', outcome: 'ok' })).toBe(1);
    expect(
      delta('balance_gateway_operations_total', { type: 'query', name: 'anonymous', outcome: 'SOURCE_UNAVAILABLE' }),
    ).toBe(1);
    expect(delta('balance_gateway_operations_total', { name: 'anonymous', outcome: 'LIMIT_EXCEEDED' })).toBe(1);
    expect(delta('balance_gateway_operations_total')).toBe(4);
    expect(delta('balance_gateway_operation_duration_seconds_count', { name: 'FirstLook' })).toBe(1);
    expect(delta('balance_gateway_limit_refusals_total', { limit: 'pageSize' })).toBe(1);
    expect(total(after, 'balance_gateway_operations_in_flight')).toBe(0);

    // Vendor calls: by source, route template and outcome; the failing source's calls are counted with its code.
    for (const source of ['formance-demo', 'blnk-demo'])
      expect(delta('balance_gateway_vendor_calls_total', { source, outcome: 'ok' }), source).toBeGreaterThan(0);
    expect(
      delta('balance_gateway_vendor_calls_total', { source: 'blnk-demo', call: 'GET /ledgers', outcome: 'ok' }),
    ).toBeGreaterThan(0);
    expect(
      delta('balance_gateway_vendor_calls_total', {
        source: 'blnk-demo',
        call: 'GET /ledgers',
        outcome: 'SOURCE_UNAVAILABLE',
      }),
    ).toBe(1);
    expect(delta('balance_gateway_vendor_call_duration_seconds_count', { source: 'blnk-demo' })).toBe(
      delta('balance_gateway_vendor_calls_total', { source: 'blnk-demo' }),
    );
    // The failed call opened blnk's breaker (threshold 1); the others stay closed.
    expect(total(after, 'balance_gateway_source_breaker_state', { source: 'blnk-demo', state: 'OPEN' })).toBe(1);
    expect(total(after, 'balance_gateway_source_breaker_state', { source: 'blnk-demo', state: 'CLOSED' })).toBe(0);
    expect(total(after, 'balance_gateway_source_breaker_state', { source: 'midaz-demo', state: 'CLOSED' })).toBe(1);
    // prom-client's process metrics ride along.
    expect(after.some((sample) => sample.name === 'process_cpu_user_seconds_total')).toBe(true);
    expect(after.some((sample) => sample.name === 'nodejs_heap_size_used_bytes')).toBe(true);

    // No label is caller text, an id, or a concrete vendor path.
    const labelValues = new Set(
      after
        .filter((sample) => sample.name.startsWith('balance_gateway_'))
        .flatMap(({ labels: { le, ...labels } }) => Object.values(labels)),
    );
    const calls = after.filter((sample) => sample.name === 'balance_gateway_vendor_calls_total');
    expect(calls.length).toBeGreaterThan(5);
    for (const sample of calls)
      expect(sample.labels.call).toMatch(/^(GET|POST) ((\/(v2|[a-z_-]+|\{[a-z_]+\}))+|other|\{tokenUrl\})$/);
    const vendorSegments = new Set(
      Object.values(test.demo.simulators)
        .flatMap((simulator) => simulator.requests.flatMap((request) => request.path.split('/')))
        .filter((segment) => /\d/.test(segment) && !/^v\d$/.test(segment)),
    );
    expect(vendorSegments.size).toBeGreaterThan(3);
    const forbidden = [...ids, ...vendorSegments, 'Probe_x9f3kq', 'ledgers(', 'node(', 'sources'];
    for (const value of labelValues)
      for (const text of forbidden) expect(value.includes(text), `label "${value}" holds "${text}"`).toBe(false);
  });

  it('names persisted operations, and keeps a hostile operationName or an oversized body out of the labels', async () => {
    const operation = 'query Sources { sources { name kind } }';
    const hash = createHash('sha256').update(operation).digest('hex');
    const file = join(await mkdtemp(join(tmpdir(), 'persisted-')), 'operations.json');
    await writeFile(file, JSON.stringify({ [hash]: operation }));
    const { url, base } = await started({ server: { persistedOperations: file } });
    const send = (body: unknown) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await send({ extensions: { persistedQuery: { version: 1, sha256Hash: hash } } })).status).toBe(200);
    const hostile = `Evil${'x'.repeat(5000)}`;
    await send({ extensions: { persistedQuery: { version: 1, sha256Hash: hash } }, operationName: hostile });
    await send({ query: `query ${hostile} { sources { name } }` });
    const oversized = await send({ query: `{ sources { name } } # ${'x'.repeat(200 * 1024)}` });
    expect(oversized.status).toBe(413);
    const samples = await scrape(base);
    expect(total(samples, 'balance_gateway_operations_total', { type: 'query', name: 'Sources', outcome: 'ok' })).toBe(
      1,
    );
    expect(total(samples, 'balance_gateway_limit_refusals_total', { limit: 'bodySize' })).toBe(1);
    expect(total(samples, 'balance_gateway_operations_total')).toBe(4);
    const names = new Set(samples.flatMap((sample) => (sample.labels.name === undefined ? [] : [sample.labels.name])));
    expect([...names].sort()).toEqual(['Sources', 'anonymous']);
    const outcomes = samples.flatMap((sample) => (sample.labels.outcome === undefined ? [] : [sample.labels.outcome]));
    expect(outcomes.every((outcome) => /^(ok|[A-Z_]+)$/.test(outcome))).toBe(true);
  });

  it('refuses a bad server.metrics or server.telemetry block, naming the field', () => {
    const sources = [{ name: 'b', kind: 'blnk', url: 'http://b' }];
    const refusal = (server: Record<string, unknown>) => {
      try {
        parseConfig({ server, sources });
      } catch (error) {
        return (error as Error).message;
      }
      return 'accepted';
    };
    expect(refusal({ port: 9100, metrics: { port: 9100 } })).toMatch(
      /^server\.metrics\.port: must differ from server\.port/,
    );
    expect(refusal({ metrics: { port: 70000 } })).toMatch(/^server\.metrics\.port: must be an integer/);
    expect(refusal({ metrics: { enabled: 'yes' } })).toMatch(/^server\.metrics\.enabled: must be true or false/);
    expect(refusal({ metrics: { operationNames: ['not a name'] } })).toMatch(/^server\.metrics\.operationNames\[0\]/);
    expect(refusal({ metrics: { path: '/m' } })).toMatch(/^server\.metrics\.path: unknown field/);
    expect(refusal({ telemetry: { otlpEndpoint: 'collector:4318' } })).toMatch(
      /^server\.telemetry\.otlpEndpoint: must be an absolute http/,
    );
    expect(refusal({ telemetry: { otlpEndpoint: 'http://user:pw@collector:4318' } })).not.toContain('pw');
    const parsed = parseConfig({ server: { metrics: { port: null }, telemetry: { otlpEndpoint: null } }, sources });
    expect(parsed.server.metrics).toEqual({ enabled: true, port: null, operationNames: [] });
    expect(parsed.server.telemetry).toEqual({ otlpEndpoint: null, serviceName: 'balance-gateway' });
  });

  it('counts the operations in flight and the requests admission sheds', async () => {
    const demo = await startDemoSources();
    closers.push(() => demo.close());
    const vendor = await startHeldVendor(demo.simulators.formance.url);
    closers.push(() => vendor.close());
    const { url, base } = await started({
      server: { maxConcurrentRequests: 1, maxQueuedRequests: 0 },
      sources: { 'formance-demo': { url: vendor.url } },
    });
    const held = post(url, '{ ledgers(first: 1) { nodes { name } } }');
    await vendor.waitForHeld(1);
    const during = await scrape(base);
    expect(total(during, 'balance_gateway_operations_in_flight')).toBe(1);
    const shed = await post(url, '{ sources { name } }');
    expect(shed.status).toBe(503);
    const afterShed = await scrape(base);
    expect(
      total(afterShed, 'balance_gateway_admission_refusals_total') -
        total(during, 'balance_gateway_admission_refusals_total'),
    ).toBe(1);
    // A shed request is not an operation: it was never parsed.
    expect(total(afterShed, 'balance_gateway_operations_total')).toBe(
      total(during, 'balance_gateway_operations_total'),
    );
    await vendor.release({ open: true });
    expect((await held).status).toBe(200);
    const done = await scrape(base);
    expect(total(done, 'balance_gateway_operations_in_flight')).toBe(0);
    expect(total(done, 'balance_gateway_operations_total', { outcome: 'ok' })).toBe(1);
  });

  it('shows the admission slots narrowing while load is shed and widening once calm, and the requests queued', async () => {
    const demo = await startDemoSources();
    closers.push(() => demo.close());
    const vendor = await startHeldVendor(demo.simulators.formance.url);
    closers.push(() => vendor.close());
    const { url, base } = await started({
      server: { maxConcurrentRequests: 2, sheddingConcurrentRequests: 1, maxQueuedRequests: 1, queueTimeoutMs: 1000 },
      sources: { 'formance-demo': { url: vendor.url } },
    });
    const gauges = async () => {
      const samples = await scrape(base);
      return [total(samples, 'balance_gateway_admission_slots'), total(samples, 'balance_gateway_admission_queued')];
    };
    expect(await gauges()).toEqual([2, 0]);
    const held = [
      post(url, '{ ledgers(first: 1) { nodes { name } } }'),
      post(url, '{ ledgers(first: 2) { nodes { name } } }'),
    ];
    // One vendor call: the gateway shares the identical GET both make, and both hold a slot meanwhile.
    await vendor.waitForHeld(1);
    expect(await until(async () => total(await scrape(base), 'balance_gateway_operations_in_flight') === 2)).toBe(true);
    const queued = post(url, '{ ledgers(first: 3) { nodes { name } } }');
    expect(await until(async () => (await gauges())[1] === 1)).toBe(true);
    expect((await post(url, '{ sources { name } }')).status).toBe(503);
    expect(await gauges()).toEqual([1, 1]);
    // The queued request waited out its second and was refused too; the held two answer.
    expect((await queued).status).toBe(503);
    await vendor.release({ open: true });
    expect((await Promise.all(held)).map((answer) => answer.status)).toEqual([200, 200]);
    // Calm for queueTimeoutMs since the last refusal, with nobody waiting: the slots widen again.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await gauges()).toEqual([2, 0]);
  });

  it('needs no client key, and is not served to a browser page of another site, even an allowed CORS origin', async () => {
    const { base, url } = await started({
      server: {
        corsOrigins: ['https://app.example.com'],
        auth: { apiKeys: [{ name: 'ops', sha256: 'a'.repeat(64), sources: ['*'] }] },
      },
    });
    // Client authentication guards /graphql; a scraper needs no key.
    expect((await post(url, '{ sources { name } }')).status).toBe(401);
    const fromPage = await fetch(`${base}/metrics`, { headers: { origin: 'https://app.example.com' } });
    expect(fromPage.status).toBe(403);
    expect(await fromPage.text()).not.toContain('balance_gateway_');
    const crossSite = await fetch(`${base}/metrics`, { headers: { 'sec-fetch-site': 'cross-site' } });
    expect(crossSite.status).toBe(403);
    expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`${base}/metrics`)).status).toBe(200);
  });

  it('is off with server.metrics.enabled false, and only on its own port when server.metrics.port is set', async () => {
    const off = await started({ server: { metrics: { enabled: false } } });
    expect((await fetch(`${off.base}/metrics`)).status).toBe(404);
    const elsewhere = await started({ server: { metrics: { port: 0 } } });
    expect((await fetch(`${elsewhere.base}/metrics`)).status).toBe(404);
  });

  it('listens on server.metrics.port from the command line, and nowhere else', async () => {
    const demo = await startDemoSources();
    closers.push(() => demo.close());
    const folder = await mkdtemp(join(tmpdir(), 'metrics-'));
    const config = join(folder, 'gateway.json');
    await writeFile(config, JSON.stringify({ server: { port: 0, metrics: { port: 0 } }, sources: demo.sources }));
    const gateway = run(['--config', config, '--log-level', 'error']);
    closers.push(async () => {
      gateway.stop();
      await gateway.exited;
    });
    const metricsUrl = String((await waitFor(gateway, /metrics: (http:\/\/\S+\/metrics)/))[1]);
    const graphqlUrl = String((await waitFor(gateway, /listening on (http:\/\/\S+\/graphql)/))[1]);
    expect((await post(graphqlUrl, '{ sources { name } }')).status).toBe(200);
    const response = await fetch(metricsUrl);
    expect(response.status).toBe(200);
    const samples = parseExposition(await response.text());
    expect(total(samples, 'balance_gateway_operations_total', { type: 'query', outcome: 'ok' })).toBe(1);
    expect((await fetch(graphqlUrl.replace(/\/graphql$/, '/metrics'))).status).toBe(404);
    expect((await fetch(metricsUrl.replace(/\/metrics$/, '/graphql'))).status).toBe(404);
  });
});
