/**
 * What a bench server did, event by event, for reading a latency tail from the inside (issue 14):
 * with `BENCH_TIMELINE=<directory>`, bench/gateway-child.ts records into
 * `<directory>/gateway-<pid>.timeline` one line per
 *
 *   req <arrival ms> <duration ms> <connection>   a request, from node:http's 'request' to its 'finish'
 *   get <start ms> <duration ms>                  a vendor call (undici), from its creation to its trailers
 *   gc <start ms> <pause ms> <kind>               a GC pause (kind: 1 scavenge, 4 mark-compact, 8 incremental)
 *   stall <start ms> <ms>                         the event loop away for more than 20 ms (a 5 ms timer late)
 *   mem <ms> <rss MiB> <heap MiB> <new MiB> <old MiB>   every 500 ms, V8's young and old spaces as committed
 *
 * times in ms since the server started listening. It is written when the bench disconnects; read it with
 * `node bench/timeline-summary.ts <file> [from ms] [to ms]`. Measuring costs a little CPU; compare
 * runs with it on, not a run with it against one without.
 */
import { subscribe } from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';

const STALL_MS = 20;
const TICK_MS = 5;
const MiB = (bytes: number) => (bytes / 2 ** 20).toFixed(0);

export function recordTimeline(server: Server, directory: string): void {
  const origin = performance.now();
  const since = (at: number) => (at - origin).toFixed(1);
  const lines: string[] = [];

  const connections = new WeakMap<object, number>();
  let connectionCount = 0;
  server.on('request', (request, response) => {
    const arrived = performance.now();
    let connection = connections.get(request.socket);
    if (connection === undefined) {
      connection = connectionCount++;
      connections.set(request.socket, connection);
    }
    response.once('finish', () =>
      lines.push(`req ${since(arrived)} ${(performance.now() - arrived).toFixed(1)} ${connection}`),
    );
  });

  const calls = new WeakMap<object, number>();
  subscribe('undici:request:create', (message) =>
    calls.set((message as { request: object }).request, performance.now()),
  );
  subscribe('undici:request:trailers', (message) => {
    const started = calls.get((message as { request: object }).request);
    if (started !== undefined) lines.push(`get ${since(started)} ${(performance.now() - started).toFixed(1)}`);
  });

  new PerformanceObserver((list) => {
    for (const entry of list.getEntries())
      lines.push(
        `gc ${since(entry.startTime)} ${entry.duration.toFixed(1)} ${(entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind}`,
      );
  }).observe({ entryTypes: ['gc'] });

  let last = performance.now();
  setInterval(() => {
    const now = performance.now();
    if (now - last > STALL_MS) lines.push(`stall ${since(last)} ${(now - last).toFixed(1)}`);
    last = now;
  }, TICK_MS).unref();

  setInterval(() => {
    const { rss, heapTotal } = process.memoryUsage();
    const space = (name: string) =>
      getHeapSpaceStatistics().find((s) => s.space_name === name)?.physical_space_size ?? 0;
    lines.push(
      `mem ${since(performance.now())} ${MiB(rss)} ${MiB(heapTotal)} ${MiB(space('new_space'))} ${MiB(space('old_space'))}`,
    );
  }, 500).unref();

  process.once('disconnect', () =>
    writeFileSync(join(directory, `gateway-${process.pid}.timeline`), `${lines.join('\n')}\n`),
  );
}
