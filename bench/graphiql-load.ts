/**
 * How long GraphiQL takes to become usable in a browser, by the encoding its page is sent in:
 * Debian's Chromium (headless, playwright-core) over an emulated link opens the demo's `/graphql`
 * and waits for the run button, asking for the page with `accept-encoding: identity`, `gzip`, and
 * `br, gzip`, in alternating rounds against the real CLI (`--demo`) in a process of its own.
 * Reports the bytes sent and the median time to ready per encoding, and its ratio to identity.
 * Asserts nothing: a benchmark reports. Skips when Chromium is missing.
 *
 *   node bench/graphiql-load.ts
 *   BENCH_GRAPHIQL_ROUNDS=3 BENCH_GRAPHIQL_MBPS=20 BENCH_GRAPHIQL_LATENCY_MS=20 node bench/graphiql-load.ts
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ROUNDS = Number(process.env.BENCH_GRAPHIQL_ROUNDS ?? 3);
const MBPS = Number(process.env.BENCH_GRAPHIQL_MBPS ?? 20);
const LATENCY_MS = Number(process.env.BENCH_GRAPHIQL_LATENCY_MS ?? 20);
const ENCODINGS = ['identity', 'gzip', 'br, gzip'] as const;

if (!existsSync(CHROMIUM)) {
  console.log(`graphiql-load: skipped, no Chromium at ${CHROMIUM}`);
  process.exit(0);
}

const bin = join(import.meta.dirname, '..', 'bin', 'balance-gateway.js');
const gateway = spawn(process.execPath, [bin, '--demo', '--port', '0', '--log-level', 'error'], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const url = await new Promise<string>((resolve, reject) => {
  let output = '';
  gateway.stdout.on('data', (chunk) => {
    output += chunk;
    const match = /listening on (http:\S+\/graphql)/.exec(output);
    if (match) resolve(match[1]!);
  });
  gateway.on('exit', () => reject(new Error('the gateway exited before listening')));
});

const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
const results = new Map<string, { bytes: number; encoding: string; times: number[] }>();
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const encoding of round % 2 === 0 ? ENCODINGS : [...ENCODINGS].reverse()) {
      const context = await browser.newContext();
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: LATENCY_MS,
        downloadThroughput: (MBPS * 1_000_000) / 8,
        uploadThroughput: (MBPS * 1_000_000) / 32,
      });
      await cdp.send('Network.setExtraHTTPHeaders', { headers: { 'Accept-Encoding': encoding } });
      const started = performance.now();
      const response = await page.goto(url);
      await page.locator('.graphiql-execute-button').waitFor({ timeout: 120_000 });
      const elapsed = performance.now() - started;
      const entry = results.get(encoding) ?? {
        bytes: (await response!.request().sizes()).responseBodySize,
        encoding: (await response!.allHeaders())['content-encoding'] ?? 'none',
        times: [],
      };
      entry.times.push(elapsed);
      results.set(encoding, entry);
      await context.close();
    }
  }
} finally {
  await browser.close();
  gateway.kill('SIGTERM');
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const base = median(results.get('identity')!.times);
console.log(`GraphiQL ready in Chromium over ${MBPS} Mbit/s, ${LATENCY_MS} ms; median of ${ROUNDS} rounds`);
for (const [asked, { bytes, encoding, times }] of results)
  console.log(
    `  accept-encoding ${asked.padEnd(9)} sent ${encoding.padEnd(5)} ${String(bytes).padStart(8)} bytes  ` +
      `ready ${median(times).toFixed(0).padStart(5)} ms  ×${(median(times) / base).toFixed(2)}`,
  );
