/**
 * wrk (https://github.com/wg/wrk, Debian's 4.1.0) as the bench's load generator: a C event loop
 * pinned beside the simulators, so the latencies it reports carry none of a Node client's GC or
 * event loop. The bench picks it when it is on the PATH, unless `BENCH_LOAD=node`
 * (`BENCH_LOAD=wrk` insists on it). This file writes the Lua script that makes wrk POST one body,
 * runs wrk, and reads its report.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The absolute path of `command` on the PATH, if it is there and executable. */
export function onPath(command: string): string | undefined {
  for (const directory of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(directory, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return undefined;
}

/** Which load generator drives the timed runs: wrk when on the PATH, else (or with BENCH_LOAD=node) the Node loop. */
export function loadGenerator(): 'wrk' | 'node' {
  const asked = process.env.BENCH_LOAD;
  if (asked === 'node') return 'node';
  if (asked === 'wrk') {
    if (!onPath('wrk')) throw new Error('BENCH_LOAD=wrk, but wrk is not on the PATH (apt-get install wrk)');
    return 'wrk';
  }
  if (asked) throw new Error(`BENCH_LOAD=${asked}: expected wrk or node`);
  return onPath('wrk') ? 'wrk' : 'node';
}

/** What one wrk run reports. Latencies in ms. */
export interface WrkReport {
  readonly requests: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  /** Answers with a status above 399 (wrk's "Non-2xx or 3xx responses": 3xx are not counted there). */
  readonly non2xx: number;
  readonly socketErrors: { connect: number; read: number; write: number; timeout: number };
  /** Answers the script found not HTTP 200 or carrying a GraphQL `errors` member (BAD_ANSWERS_LINE). */
  readonly badAnswers: number;
}

/**
 * wrk's time units (units.c: us, then ms and s by 1000, then m and h by 60) to ms, as a power of
 * ten to shift the decimal text by and an integer factor after it, so that `2.01s` is 2010 and not
 * 2.01 × 1000 = 2009.9999999999998.
 */
const TO_MS: Record<string, readonly [shift: number, factor: number]> = {
  us: [-3, 1],
  ms: [0, 1],
  s: [3, 1],
  m: [4, 6],
  h: [5, 36],
};

/** One of wrk's times, e.g. `842.00us`, `12.31ms`, `1.20s`, in ms: the double nearest the exact value. */
export function wrkTime(text: string): number {
  const match = /^(\d+)(?:\.(\d+))?(us|ms|s|m|h)$/.exec(text);
  if (!match) throw new Error(`not a wrk time: ${JSON.stringify(text)}`);
  const [, whole, fraction = '', unit] = match;
  const [shift, factor] = TO_MS[unit!]!;
  // Number() of decimal text with an exponent rounds once, to the nearest double; wrk prints two
  // decimals, so for m and h the shifted value is an integer and the factor multiplies exactly.
  return Number(`${whole}${fraction}e${shift - fraction.length}`) * factor;
}

/** The line our Lua script's done() prints; wrk itself prints nothing like it. */
export const BAD_ANSWERS_LINE = 'Answers not 200 or with GraphQL errors:';

/**
 * Reads the report of `wrk --latency -s <wrkScript>`. Throws when a figure is missing, rather than
 * let a run that wrk cut short (or a script that did not run) pass as one with no errors.
 */
export function parseWrkOutput(text: string): WrkReport {
  const need = (pattern: RegExp, what: string) => {
    const match = pattern.exec(text);
    if (!match) throw new Error(`wrk output without ${what}:\n${text}`);
    return match;
  };
  const count = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? 0);
  const socket = /^\s*Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)\s*$/m.exec(text);
  return {
    requests: Number(need(/^\s*(\d+) requests in /m, 'a request count')[1]),
    perSecond: Number(need(/^Requests\/sec:\s+(\d+(?:\.\d+)?)\s*$/m, 'Requests/sec')[1]),
    p50: wrkTime(need(/^\s*50%\s+(\S+)\s*$/m, 'a 50% latency (--latency)')[1]!),
    p99: wrkTime(need(/^\s*99%\s+(\S+)\s*$/m, 'a 99% latency (--latency)')[1]!),
    // wrk prints these two lines only when their counts are not zero.
    non2xx: count(/^\s*Non-2xx or 3xx responses: (\d+)\s*$/m),
    socketErrors: {
      connect: Number(socket?.[1] ?? 0),
      read: Number(socket?.[2] ?? 0),
      write: Number(socket?.[3] ?? 0),
      timeout: Number(socket?.[4] ?? 0),
    },
    badAnswers: Number(need(new RegExp(`^${BAD_ANSWERS_LINE} (\\d+)\\s*$`, 'm'), BAD_ANSWERS_LINE)[1]),
  };
}

/** What went wrong in a run, or undefined when every answer was a good one. */
export function wrkFailures(report: WrkReport): string | undefined {
  const { connect, read, write, timeout } = report.socketErrors;
  const failures = [
    report.non2xx && `${report.non2xx} answers with a status above 399`,
    connect + read + write + timeout &&
      `socket errors: connect ${connect}, read ${read}, write ${write}, timeout ${timeout}`,
    report.badAnswers && `${report.badAnswers} answers not 200 or with GraphQL errors`,
    report.requests === 0 && 'no request answered',
  ].filter(Boolean);
  return failures.length ? failures.join('; ') : undefined;
}

/**
 * `latencies` (ms) as wrk reports them after its correction for coordinated omission (wrk 4.x,
 * `stats_correct`): each latency of at least twice `interval`, the mean time between requests on a
 * connection (the run's length ÷ (answers ÷ connections)), adds a sample at that latency less one
 * interval, less two, and so on while above one interval. A closed-loop client asked nothing while
 * it waited; these stand for the requests it would have sent. Returns a new sorted array.
 */
export function wrkCorrected(latencies: readonly number[], interval: number): number[] {
  const corrected = [...latencies];
  if (interval > 0)
    for (const latency of latencies)
      if (latency >= 2 * interval)
        for (let missed = latency - interval; missed > interval; missed -= interval) corrected.push(missed);
  return corrected.sort((a, b) => a - b);
}

/**
 * A Lua string literal holding `text` byte for byte: every byte outside printable ASCII, and `"`
 * and `\`, as a decimal escape (LuaJIT's Lua 5.1 has no \x or \u escapes) of three digits, since
 * Lua reads up to three: `\34` before a `1` would be read as `\341`, and wrk would drop the script.
 */
function luaString(text: string): string {
  let literal = '"';
  for (const byte of Buffer.from(text, 'utf8'))
    literal +=
      byte < 0x20 || byte > 0x7e || byte === 0x22 || byte === 0x5c
        ? `\\${String(byte).padStart(3, '0')}`
        : String.fromCharCode(byte);
  return `${literal}"`;
}

/**
 * How long each of wrk's connections waits before its first request (see wrkScript): long enough
 * for an idle server to accept every connection, short against a run of whole seconds.
 */
export const SETTLE_MS = 200;

/**
 * The Lua script that makes wrk POST `bodies` as JSON, one after another round and round (one body:
 * the same on every request, wrk's prebuilt request; more: its request() builds each). Its response() counts the
 * answers that are not HTTP 200 or that carry a top-level GraphQL `errors` member (yoga answers
 * an execution error with 200): wrk's own count only sees statuses above 399. It checks nothing
 * else in an answer; the bench checks balances on the answers it asks for itself.
 *
 * Its delay() holds each connection's first request for SETTLE_MS (wrk asks delay() before every
 * request of its one thread; the first `connections` calls are the connections' first requests),
 * so that the server accepts all of them while idle. A busy Node server accepts one new connection
 * per turn of its event loop (libuv, seen with strace: one accept4 per turn), so without it the
 * last of 50 connections sent its first request 1.2 s into a run of the gateway, and wrk's own
 * correction for coordinated omission turned each of those waits into dozens of samples: the list's
 * p99 read 180 to 410 ms where no answer on an open connection took over 150 ms (bench/timeline.ts).
 */
export function wrkScript(bodies: readonly string[], connections: number): string {
  if (bodies.length === 0) throw new Error('wrk needs a body to POST');
  const cycle =
    bodies.length === 1
      ? ''
      : `
local bodies = { ${bodies.map(luaString).join(', ')} }
local sent = 0
function request()
  sent = sent % #bodies + 1
  return wrk.format(nil, nil, nil, bodies[sent])
end
`;
  return `wrk.method = "POST"
wrk.body = ${luaString(bodies[0]!)}
wrk.headers["Content-Type"] = "application/json"
${cycle}
local unsettled = ${connections}
function delay()
  if unsettled > 0 then
    unsettled = unsettled - 1
    return ${SETTLE_MS}
  end
  return 0
end

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  bad = 0
end

function response(status, headers, body)
  if status ~= 200 or string.find(body, '"errors":', 1, true) then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("bad")
  end
  io.write(string.format("${BAD_ANSWERS_LINE} %d\\n", total))
end
`;
}

/**
 * How long wrk waits for an answer before it counts a socket timeout (its default is 2 s). A slow
 * answer is a figure to report, not a failure: the Node loop waits as long as it takes, and on this
 * loaded 2-core machine the gateway's p99 by id has reached 1.1 s. Slower than this fails the run.
 */
export const WRK_TIMEOUT_SECONDS = 10;

/**
 * Runs `wrk -t1 -c<connections> -d<seconds>s --latency --timeout 10s` POSTing `bodies` in turn to `url`,
 * pinned to core 1 when `pinToCore1` (taskset), and returns its report as printed. Rejects when wrk
 * fails to run. The run's first SETTLE_MS go to opening the connections (wrkScript): its req/s is
 * over the whole run, that included, the same for every server.
 */
export async function runWrk(options: {
  url: string;
  bodies: readonly string[];
  connections: number;
  seconds: number;
  pinToCore1: boolean;
}): Promise<string> {
  // wrk reads durations as whole numbers (with an s, m or h unit).
  if (!Number.isInteger(options.seconds) || options.seconds < 1)
    throw new Error(`wrk runs for whole seconds: ${options.seconds} s asked (BENCH_SECONDS)`);
  const directory = await mkdtemp(join(tmpdir(), 'bench-wrk-'));
  try {
    const script = join(directory, 'post.lua');
    await writeFile(script, wrkScript(options.bodies, options.connections));
    const wrk = [
      '-t1',
      `-c${options.connections}`,
      `-d${options.seconds}s`,
      '--latency',
      `--timeout=${WRK_TIMEOUT_SECONDS}s`,
      '-s',
      script,
      options.url,
    ];
    const { stdout, stderr } = options.pinToCore1
      ? await run('taskset', ['-c', '1', 'wrk', ...wrk])
      : await run('wrk', wrk);
    // wrk reports a script it could not load on stderr and then runs without it (plain GETs), exiting 0.
    if (stderr.trim() !== '') throw new Error(`wrk: ${stderr.trim().slice(0, 300)}`);
    return stdout;
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
