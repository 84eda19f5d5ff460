/**
 * What metrics and tracing cost per request, side by side in one run: the Blnk list of 50 balances
 * through three gateways over the same simulators — metrics and tracing off, metrics on (the
 * default), metrics and tracing on, exporting every span over OTLP/HTTP to a receiver in a process
 * of its own — measured in alternating rounds, so drift hits all three alike. Prints req/s, p50 and
 * the ratios to "off". Called by bench/run.ts; alone: `node bench/telemetry.ts`.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { parseConfig } from '../src/config.ts';
import { createGateway } from '../src/gateway.ts';
import { createLogger } from '../src/logger.ts';
import { postGraphQL } from './post-graphql.ts';

const RECEIVER_ARG = 'otlp-receiver';

if (process.argv[2] === RECEIVER_ARG) {
  // The OTLP/HTTP receiver: reads and counts each export, as a collector would take it.
  let spans = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: unknown[] }> }>;
      };
      for (const resource of body.resourceSpans ?? [])
        for (const scope of resource.scopeSpans ?? []) spans += scope.spans?.length ?? 0;
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
  process.on('message', (message) => {
    if (message === 'count') process.send?.({ spans });
    if (message === 'stop') server.close(() => process.exit(0));
  });
} else {
  await benchTelemetry();
}

async function benchTelemetry(): Promise<void> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 3);
  const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  const vendors = fork(new URL('./simulators.ts', import.meta.url), { stdio: 'inherit' });
  const [ready] = (await once(vendors, 'message')) as [
    { sources: Array<Record<string, unknown>>; blnkLedger: { name: string } },
  ];
  const receiver = fork(new URL(import.meta.url), [RECEIVER_ARG], { stdio: 'inherit' });
  const [{ port }] = (await once(receiver, 'message')) as [{ port: number }];
  const spansReceived = async () => {
    receiver.send('count');
    return ((await once(receiver, 'message')) as [{ spans: number }])[0].spans;
  };

  const start = async (server: Record<string, unknown>) => {
    const config = parseConfig({
      server: { cursorSecret: 'bench-cursor-secret-0123456789', ...server },
      sources: ready.sources,
    });
    const gateway = createGateway(config, { logger: createLogger('silent') });
    const listener = createServer(gateway.yoga);
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const pool = new Pool(`http://127.0.0.1:${(listener.address() as AddressInfo).port}`, { connections: concurrency });
    return {
      ask: (query: string, variables: Record<string, unknown> = {}) => postGraphQL(pool, query, variables),
      close: async () => {
        await pool.close();
        listener.close();
        await gateway.close();
      },
    };
  };
  const variants = [
    { name: 'metrics and tracing off', gateway: await start({ metrics: { enabled: false } }) },
    { name: 'metrics on (default), tracing off', gateway: await start({}) },
    {
      name: 'metrics and tracing on (OTLP export)',
      gateway: await start({ telemetry: { otlpEndpoint: `http://127.0.0.1:${port}` } }),
    },
  ];

  const listed = (await variants[0]!.gateway.ask('{ ledgers(first: 100) { nodes { id name source { name } } } }'))
    .data as { ledgers: { nodes: Array<{ id: string; name: string; source: { name: string } }> } };
  const ledger = listed.ledgers.nodes.find(
    (node) => node.source.name === 'blnk-demo' && node.name === ready.blnkLedger.name,
  );
  if (!ledger) throw new Error('bench: the Blnk demo ledger is missing');
  const BALANCES =
    'query($id: ID!) { ledger(id: $id) { balances(first: 50) { nodes { asset total { amount minorUnits } available { amount } } } } }';

  const latencies = variants.map(() => [] as number[]);
  const elapsed = variants.map(() => 0);
  for (const variant of variants)
    for (let warm = 0; warm < 50; warm += 1) await variant.gateway.ask(BALANCES, { id: ledger.id });
  // Round -1 is a warm-up of every variant, not counted: the JIT's first variant would otherwise run cold.
  for (let round = -1; round < rounds; round += 1) {
    for (const [index, variant] of variants.entries()) {
      const started = performance.now();
      const deadline = started + (seconds * 1000) / rounds;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (performance.now() < deadline) {
            const begin = performance.now();
            await variant.gateway.ask(BALANCES, { id: ledger.id });
            if (round >= 0) latencies[index]!.push(performance.now() - begin);
          }
        }),
      );
      if (round >= 0) elapsed[index]! += (performance.now() - started) / 1000;
    }
  }
  for (const variant of variants) await variant.gateway.close();
  const exported = await spansReceived();

  const figures = variants.map((variant, index) => {
    const sorted = latencies[index]!.sort((a, b) => a - b);
    return {
      name: variant.name,
      requests: sorted.length,
      perSecond: sorted.length / elapsed[index]!,
      p50: sorted[Math.floor(sorted.length / 2)] ?? 0,
    };
  });
  const off = figures[0]!;
  process.stdout.write(
    `\nmetrics and tracing cost: blnk list of 50 balances, ${rounds} alternating rounds, ${seconds}s per variant, concurrency ${concurrency}\n`,
  );
  for (const figure of figures)
    process.stdout.write(
      `${figure.name.padEnd(40)} ${figure.perSecond.toFixed(0).padStart(6)} req/s (${(figure.perSecond / off.perSecond).toFixed(2)}x)  p50 ${figure.p50.toFixed(2).padStart(6)} ms (${(figure.p50 / off.p50).toFixed(2)}x)\n`,
    );
  // Identical vendor GETs in flight are one call, so one vendor-call span can serve several operations.
  process.stdout.write(
    `spans the OTLP receiver got: ${exported} (an operation span per traced request, ${figures[2]!.requests} + the warm-ups, and a span per vendor call)\n`,
  );
  receiver.send('stop');
  vendors.send('stop');
  await Promise.all([once(receiver, 'exit'), once(vendors, 'exit')]);
}
