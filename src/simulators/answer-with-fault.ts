import type { ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { SimulatorFault } from './faults.ts';
import type { SimulatorReply } from './types.ts';

/** How long `flapping` answers normally, then fails, in turn. */
export const FLAP_PERIOD_MS = 400;
const OVERSIZE_BYTES = 17 * 1024 * 1024;
let bomb: Buffer | undefined;

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
        if (!response.write(chunk))
          await new Promise((resolve) => response.once('drain', resolve).once('close', resolve));
      }
      if (!response.destroyed) response.end('"}');
      return;
    }
    case 'gzip-bomb':
      bomb ??= gzipSync(Buffer.alloc(64 * 1024 * 1024, ' '));
      return send(200, bomb, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
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
