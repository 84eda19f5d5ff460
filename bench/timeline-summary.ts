/**
 * Reads a server's timeline (bench/timeline.ts) and prints where its latency went, over the
 * requests that arrived in [from, to] ms (default: all):
 *
 *   node bench/timeline-summary.ts <file> [from ms] [to ms]
 *
 * - requests: the time inside the server, from node:http's 'request' to the answer's 'finish';
 * - waiting to be read: on each connection, from one answer's 'finish' to the next request's
 *   'request' (a client like wrk asks again at once, so this is the time the request sat unread
 *   while the event loop was busy, plus the round trip): what a client sees beyond the first figure;
 * - as the client saw it: on each connection, from one answer's 'finish' to the next one's (a
 *   closed-loop client like wrk asks again at once, so this is each answer's latency at the
 *   client), and the same with wrk's correction for coordinated omission (bench/wrk.ts
 *   `wrkCorrected`): what wrk's p50 and p99 should read for the same stretch;
 * - vendor calls, as the server saw them (their wait for the event loop included);
 * - event-loop stalls over 20 ms, GC pauses by kind, and the peak memory samples.
 */
import { readFileSync } from 'node:fs';
import { wrkCorrected } from './wrk.ts';

const [file, fromText, toText] = process.argv.slice(2);
if (!file) throw new Error('usage: node bench/timeline-summary.ts <file> [from ms] [to ms]');
const from = Number(fromText ?? Number.NEGATIVE_INFINITY);
const to = Number(toText ?? Number.POSITIVE_INFINITY);
const rows = readFileSync(file, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => line.split(' '))
  .filter(([, at]) => Number(at) >= from && Number(at) <= to);
const of = (kind: string) => rows.filter(([name]) => name === kind).map(([, ...fields]) => fields.map(Number));

function quantiles(label: string, values: number[]): void {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]?.toFixed(1) ?? '-';
  process.stdout.write(
    `${label.padEnd(22)} n ${String(sorted.length).padStart(7)}  p50 ${at(0.5).padStart(7)}  p90 ${at(0.9).padStart(7)}  p99 ${at(0.99).padStart(7)}  p99.9 ${at(0.999).padStart(7)}  max ${at(1).padStart(7)} ms\n`,
  );
}

/** The largest of `values`; a reduce, since spreading a long run's values into Math.max overflows the call stack. */
const largest = (values: readonly number[]) =>
  values.reduce((most, value) => Math.max(most, value), Number.NEGATIVE_INFINITY);

const requests = of('req');
quantiles(
  'requests (in server)',
  requests.map(([, duration]) => duration!),
);
const byConnection = new Map<number, number[][]>();
// The stretch the requests cover, for wrk's interval (in this loop rather than spread into
// Math.min/Math.max, which overflows the call stack past about 120,000 arguments).
let firstArrival = Number.POSITIVE_INFINITY;
let lastFinish = Number.NEGATIVE_INFINITY;
for (const request of requests) {
  firstArrival = Math.min(firstArrival, request[0]!);
  lastFinish = Math.max(lastFinish, request[0]! + request[1]!);
  const own = byConnection.get(request[2]!);
  if (own) own.push(request);
  else byConnection.set(request[2]!, [request]);
}
// On each connection, from one answer's finish: the next request's wait to be read, and the next
// answer's latency at the client.
const waits: number[] = [];
const atClient: number[] = [];
for (const own of byConnection.values()) {
  own.sort((a, b) => a[0]! - b[0]!);
  for (let index = 1; index < own.length; index += 1) {
    const [arrived, duration] = own[index]!;
    const previousFinish = own[index - 1]![0]! + own[index - 1]![1]!;
    waits.push(arrived! - previousFinish);
    atClient.push(arrived! + duration! - previousFinish);
  }
}
quantiles('waiting to be read', waits);
quantiles('as the client saw it', atClient);
if (requests.length > 0) {
  const span = lastFinish - firstArrival;
  quantiles("  + wrk's correction", wrkCorrected(atClient, span / (requests.length / byConnection.size)));
}
quantiles(
  'vendor calls',
  of('get').map(([, duration]) => duration!),
);
const stalls = of('stall').map(([, ms]) => ms!);
process.stdout.write(
  `event-loop stalls       ${stalls.filter((ms) => ms > 100).length} over 100 ms, ${stalls.filter((ms) => ms > 50 && ms <= 100).length} of 50-100, ${stalls.filter((ms) => ms <= 50).length} of 20-50; longest ${Math.max(0, largest(stalls)).toFixed(1)} ms\n`,
);
const KINDS: Record<string, string> = {
  1: 'scavenge',
  2: 'minor mark-sweep',
  4: 'mark-compact',
  8: 'incremental marking',
  16: 'weak callbacks',
};
const pauses = new Map<string, number[]>();
for (const [, ms, kind] of of('gc')) {
  const name = KINDS[kind!] ?? String(kind);
  const own = pauses.get(name);
  if (own) own.push(ms!);
  else pauses.set(name, [ms!]);
}
for (const [kind, ms] of pauses)
  process.stdout.write(
    `GC ${kind.padEnd(20)} ${String(ms.length).padStart(5)} pauses, ${ms.reduce((a, b) => a + b, 0).toFixed(0)} ms in all, longest ${largest(ms).toFixed(1)} ms\n`,
  );
const memory = of('mem');
if (memory.length > 0) {
  const peak = (index: number) => largest(memory.map((sample) => sample[index]!));
  process.stdout.write(`peak MiB                rss ${peak(1)}, heap ${peak(2)} (young ${peak(3)}, old ${peak(4)})\n`);
}
