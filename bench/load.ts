/**
 * The load section of `npm run bench` (also runs alone: `node bench/load.ts`): 1,000 concurrent
 * clients send GraphiQL's first query (ledgers → accounts → balances over all five demo sources)
 * to the real CLI in a process of its own, back to back for a fixed time, each honouring the
 * `Retry-After` of a 503. Reports the admitted requests' p50/p99, the share shed, `/health`
 * latency meanwhile, and the gateway process's RSS: before, sampled peak and the kernel's
 * high-water mark (VmHWM), once with Node's default heap sizing and once with an old-generation
 * ceiling. Asserts nothing: a benchmark reports.
 *
 *   BENCH_LOAD_CLIENTS=1000 BENCH_LOAD_SECONDS=10 node bench/load.ts
 *   BENCH_LOAD_SERVER='{"maxConcurrentRequests":32}'   server settings to try instead of the defaults
 *   BENCH_LOAD_UNBOUNDED=1                              also run with admission control out of the way
 */
import { fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { readAdmission } from '../src/plugins/admission-config.ts';
import { DEFAULT_QUERY } from '../src/server.ts';
import { memoryOf } from './side-by-side.ts';

const CLIENTS = Number(process.env.BENCH_LOAD_CLIENTS ?? 1000);
const SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 10);
const bin = join(import.meta.dirname, '..', 'bin', 'balance-gateway.js');
/** The V8 old-generation ceiling of the second run, as an operator would set it in NODE_OPTIONS. */
const HEAP_CAP_MB = 256;
const MiB = (kB: number) => `${(kB / 1024).toFixed(0)} MiB`;

const percentile = (sorted: number[], q: number) =>
  sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const ms = (value: number) => `${value.toFixed(0).padStart(6)} ms`;

/** One run: a gateway (Node flags `nodeArgs`) with `server` settings over `sources`, loaded by CLIENTS clients for SECONDS. */
async function loadRun(
  label: string,
  sources: unknown[],
  server: Record<string, unknown>,
  nodeArgs: string[] = [],
): Promise<void> {
  const file = join(await mkdtemp(join(tmpdir(), 'bench-load-')), 'gateway.json');
  await writeFile(
    file,
    JSON.stringify({ server: { cursorSecret: 'bench-cursor-secret-0123456789', ...server }, sources }),
  );
  const child = spawn(process.execPath, [...nodeArgs, bin, '--config', file, '--port', '0', '--log-level', 'error'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  const exited = once(child, 'exit').then(() => {
    throw new Error(`the gateway exited before listening:\n${output}`);
  });
  while (!/listening on (http:\/\/\S+)\/graphql/.test(output)) await Promise.race([once(child.stdout, 'data'), exited]);
  exited.catch(() => {});
  const origin = output.match(/listening on (http:\/\/\S+)\/graphql/)![1]!;
  const pool = new Pool(origin, { connections: CLIENTS, pipelining: 1 });
  const ask = async () => {
    const response = await pool.request({
      method: 'POST',
      path: '/graphql',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: DEFAULT_QUERY }),
    });
    const body = (await response.body.json()) as { errors?: Array<{ extensions?: { code?: string } }> };
    return { status: response.statusCode, retryAfter: Number(response.headers['retry-after'] ?? 1), body };
  };
  for (let warm = 0; warm < 20; warm += 1) await ask();
  const before = memoryOf(child.pid!);

  let peak = before.rss;
  const sampler = setInterval(() => (peak = Math.max(peak, memoryOf(child.pid!).rss)), 100);
  const admitted: number[] = [];
  const shed: number[] = [];
  const health: number[] = [];
  let failed = 0;
  const deadline = performance.now() + SECONDS * 1000;
  const healthProbe = (async () => {
    while (performance.now() < deadline) {
      const started = performance.now();
      const response = await fetch(`${origin}/health`);
      await response.arrayBuffer();
      if (response.status === 200) health.push(performance.now() - started);
      else failed += 1;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  await Promise.all([
    healthProbe,
    ...Array.from({ length: CLIENTS }, async () => {
      while (performance.now() < deadline) {
        const started = performance.now();
        const answer = await ask().catch(() => undefined);
        const took = performance.now() - started;
        if (answer?.status === 200 && !answer.body.errors) admitted.push(took);
        else if (answer?.status === 503 && answer.body.errors?.[0]?.extensions?.code === 'OVERLOADED') {
          shed.push(took);
          await new Promise((resolve) => setTimeout(resolve, answer.retryAfter * 1000));
        } else failed += 1;
      }
    }),
  ]);
  clearInterval(sampler);
  const after = memoryOf(child.pid!);
  await pool.close();
  child.kill('SIGTERM');
  await once(child, 'exit');

  for (const list of [admitted, shed, health]) list.sort((a, b) => a - b);
  const share = (100 * shed.length) / Math.max(1, admitted.length + shed.length);
  process.stdout.write(
    `\n${label}\n` +
      `  admitted ${String(admitted.length).padStart(6)} (${(admitted.length / SECONDS).toFixed(0)}/s)  p50 ${ms(percentile(admitted, 0.5))}  p99 ${ms(percentile(admitted, 0.99))}  max ${ms(admitted.at(-1) ?? Number.NaN)}\n` +
      `  shed     ${String(shed.length).padStart(6)} (${share.toFixed(1)}% of answers)  p50 ${ms(percentile(shed, 0.5))}  p99 ${ms(percentile(shed, 0.99))}\n` +
      `  /health  ${String(health.length).padStart(6)} probes meanwhile  p50 ${ms(percentile(health, 0.5))}  p99 ${ms(percentile(health, 0.99))}\n` +
      `  failed   ${String(failed).padStart(6)} (no answer, or an answer with errors)\n` +
      `  gateway RSS: ${MiB(before.rss)} before, ${MiB(peak)} sampled peak, ${MiB(after.hwm)} high-water mark (VmHWM), ${MiB(after.rss)} after\n`,
  );
}

/** Runs the load section over the demo simulators' `sources` entries. */
export async function runLoad(sources: unknown[]): Promise<void> {
  const server = JSON.parse(process.env.BENCH_LOAD_SERVER ?? '{}') as Record<string, unknown>;
  const settings = readAdmission(server);
  const admission = `maxConcurrentRequests ${settings.maxConcurrentRequests} (${settings.sheddingConcurrentRequests} while shedding), maxQueuedRequests ${settings.maxQueuedRequests}, queueTimeoutMs ${settings.queueTimeoutMs}`;
  process.stdout.write(
    `\nload: ${CLIENTS} clients for ${SECONDS} s, each sending GraphiQL's first query (ledgers → accounts → balances, five sources) back to back and honouring Retry-After; the CLI in its own process\n`,
  );
  await loadRun(`${admission}; Node's default heap sizing`, sources, server);
  // Most of the RSS above is V8's heap headroom, which grows with the allocation rate; a ceiling
  // on the old generation keeps the process under a figure at the same throughput.
  await loadRun(`${admission}; node --max-old-space-size=${HEAP_CAP_MB}`, sources, server, [
    `--max-old-space-size=${HEAP_CAP_MB}`,
  ]);
  if (process.env.BENCH_LOAD_UNBOUNDED)
    await loadRun('no admission control (maxConcurrentRequests 100000)', sources, {
      ...server,
      maxConcurrentRequests: 100_000,
      sheddingConcurrentRequests: 100_000,
    });
}

if (import.meta.main) {
  const vendors = fork(new URL('./simulators.ts', import.meta.url), { stdio: 'inherit' });
  const [ready] = (await once(vendors, 'message')) as [{ sources: unknown[] }];
  await runLoad(ready.sources);
  vendors.send('stop');
  await once(vendors, 'exit');
}
