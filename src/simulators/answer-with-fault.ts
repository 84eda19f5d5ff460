import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { SimulatorFault } from './faults.ts';
import type { SimulatorReply } from './types.ts';

/** How long `flapping` answers normally, then fails, in turn. */
export const FLAP_PERIOD_MS = 400;
const OVERSIZE_BYTES = 17 * 1024 * 1024;
let bomb: Promise<Buffer> | undefined;

/**
 * The `gzip-bomb` body, 64 KiB of gzip that inflates to 64 MiB of spaces, built once per process.
 * Compressing takes about a third of a second: zlib's stream does it on the thread pool a MiB at a
 * time, so the event loop, which the gateway under test may share, is never blocked by it.
 */
function gzipBomb(): Promise<Buffer> {
  bomb ??= (async () => {
    const spaces = Buffer.alloc(1024 * 1024, ' ');
    const gzip = createGzip();
    const [compressed] = await Promise.all([buffer(gzip), pipeline(Readable.from(Array(64).fill(spaces)), gzip)]);
    return compressed;
  })();
  return bomb;
}

/**
 * Readies what a fault answers with before the fault is switched on, so its first answer is not
 * late: the gzip bomb is built now (once), not in the first request it answers.
 */
export async function prepareFault(fault: SimulatorFault | null): Promise<void> {
  if (fault === 'gzip-bomb') await gzipBomb();
}

/** Resolves once `response` takes writes again or has closed, and leaves no listener on it either way. */
function drained(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      response.off('drain', done).off('close', done);
      resolve();
    };
    response.on('drain', done).on('close', done);
  });
}

export interface FaultContext {
  readonly response: ServerResponse;
  /** The answer the simulator would have given. */
  real(): Promise<SimulatorReply>;
  /** Records the request with the status sent (0 when none was). */
  record(status: number): void;
  readonly rateLimitStatus: number;
}

const HTML_502 =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';
/** Quotes every one of faults.ts's PLANTED_SECRETS. */
const STACK_TRACE = [
  'panic: runtime error: invalid memory address or nil pointer dereference',
  '[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x8a3f1c]',
  '',
  'goroutine 1 [running]:',
  'internal/database.(*Pool).Query(0x0, {0xc0001a2000, 0x2f})',
  '\t/srv/ledger/internal/database/pool.go:118 +0x1c',
  'dsn=postgres://ledger:s3cr3t-db-password@10.0.0.5:5432/ledger',
].join('\n');

/** Answers one request the way `fault` says (faults.ts describes each). */
export async function answerWithFault(fault: SimulatorFault, context: FaultContext): Promise<void> {
  const { response } = context;
  const send = (status: number, body: string | Buffer, headers: Record<string, string> = {}) => {
    context.record(status);
    response.writeHead(status, { 'content-length': String(Buffer.byteLength(body)), ...headers });
    response.end(body);
  };
  switch (fault) {
    case 'refuse': // connections are closed as they open (server.ts); one already open meets a reset
    case 'reset': {
      const real = await context.real();
      context.record(real.status);
      const body = Buffer.from(real.body);
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) });
      response.write(body.subarray(0, Math.floor(body.length / 2)));
      setTimeout(() => response.socket?.resetAndDestroy(), 10);
      return;
    }
    case 'hang':
      context.record(0);
      return;
    case 'drip': {
      const real = await context.real();
      context.record(200);
      response.writeHead(200, {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(real.body)),
      });
      let at = 0;
      const timer = setInterval(() => {
        if (at >= real.body.length) {
          clearInterval(timer);
          response.end();
          return;
        }
        response.write(real.body[at]);
        at += 1;
      }, 100);
      response.on('close', () => clearInterval(timer));
      return;
    }
    case 'html-error':
      return send(502, HTML_502, { 'content-type': 'text/html' });
    case 'stack-trace':
      return send(500, STACK_TRACE, { 'content-type': 'text/plain; charset=utf-8' });
    case 'rate-limited':
      return send(context.rateLimitStatus, '{"message":"Rate limit exceeded"}', {
        'content-type': 'application/json',
        'retry-after': '1',
      });
    case 'unauthorized':
      return send(401, '{"message":"invalid credentials"}', { 'content-type': 'application/json' });
    case 'truncated': {
      const real = await context.real();
      return send(200, real.body.slice(0, Math.max(1, Math.floor(real.body.length / 2))), {
        'content-type': 'application/json',
      });
    }
    case 'not-json':
      return send(200, '<html><body><h1>Down for maintenance</h1></body></html>', { 'content-type': 'text/html' });
    case 'wrong-shape':
      return send(200, '{"status":"ok","result":{"unexpected":true}}', { 'content-type': 'application/json' });
    case 'bad-amounts': {
      const real = await context.real();
      return send(real.status, mangleNumbers(real.body), { 'content-type': 'application/json' });
    }
    case 'oversize': {
      context.record(200);
      response.writeHead(200, { 'content-type': 'application/json' });
      const chunk = 'x'.repeat(1024 * 1024);
      response.write('{"padding":"');
      for (let written = 0; written < OVERSIZE_BYTES && !response.destroyed; written += chunk.length) {
        if (!response.write(chunk)) await drained(response);
      }
      if (!response.destroyed) response.end('"}');
      return;
    }
    case 'gzip-bomb':
      return send(200, await gzipBomb(), { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    case 'redirect':
      return send(302, '', { location: 'http://127.0.0.1:9/elsewhere' });
    case 'flapping': {
      if (Math.floor(Date.now() / FLAP_PERIOD_MS) % 2 === 1)
        return send(503, '{"message":"service unavailable"}', { 'content-type': 'application/json' });
      const real = await context.real();
      return send(real.status, real.body, { ...real.headers });
    }
  }
}

const DIGITS = /^-?\d+(\.\d+)?$/;

/**
 * The JSON text with every number, and every string that is only digits, replaced by the string
 * "1.2.3", which no amount parser may read as a number. Strings with other text stay as they are.
 */
export function mangleNumbers(json: string): string {
  let out = '';
  for (let at = 0; at < json.length; ) {
    const char = json[at] as string;
    if (char === '"') {
      let end = at + 1;
      while (end < json.length && json[end] !== '"') end += json[end] === '\\' ? 2 : 1;
      const text = json.slice(at, end + 1);
      out += DIGITS.test(text.slice(1, -1)) ? '"1.2.3"' : text;
      at = end + 1;
    } else if (char === '-' || (char >= '0' && char <= '9')) {
      let end = at + 1;
      while (end < json.length && /[0-9.eE+-]/.test(json[end] as string)) end += 1;
      out += '"1.2.3"';
      at = end;
    } else {
      out += char;
      at += 1;
    }
  }
  return out;
}
