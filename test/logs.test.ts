import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.ts';
import { runInRequestScope } from '../src/request-scope.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';

type Line = Record<string, unknown>;

const parse = (lines: readonly string[]): Line[] => lines.map((line) => JSON.parse(line) as Line);

describe('the access line', () => {
  let t: TestGateway;
  let url: string;
  beforeAll(async () => {
    t = await startTestGateway();
    url = await t.listen();
  });
  afterAll(() => t?.close());

  /** POSTs over a real socket and returns the access line(s) of that request id. */
  async function ask(body: unknown, requestId: string): Promise<{ status: number; access: Line[]; all: Line[] }> {
    const from = t.logs.length;
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json',
        'x-request-id': requestId,
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    await response.text();
    const all = parse(t.logs.slice(from)).filter((line) => line.requestId === requestId);
    return { status: response.status, access: all.filter((line) => line.msg === 'access'), all };
  }

  it('is one info line per request with the operation, status, the sources called and the vendor calls they received', async () => {
    await t.resetUpstream();
    const { status, access } = await ask(
      {
        query: 'query FirstLedgers { ledgers(first: 50) { nodes { name accounts(first: 2) { nodes { address } } } } }',
      },
      'access-line-0001',
    );
    // The answer may leave a merged list's read ahead in flight: count once every simulator is quiet.
    for (let quiet = 0; quiet < 3; ) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      quiet = Object.values(t.demo.simulators).some((simulator) => simulator.inFlight > 0) ? 0 : quiet + 1;
    }
    const arrived = Object.entries(t.demo.simulators).filter(([, simulator]) => simulator.arrivals > 0);
    expect(status).toBe(200);
    expect(access).toHaveLength(1);
    const line = access[0]!;
    expect(line).toMatchObject({
      level: 'info',
      requestId: 'access-line-0001',
      caller: 'anonymous',
      method: 'POST',
      path: '/graphql',
      operationName: 'FirstLedgers',
      operationType: 'query',
      status: 200,
      outcome: 'ok',
      sources: arrived.map(([vendor]) => `${vendor}-demo`).sort(),
      vendorCalls: arrived.reduce((sum, [, simulator]) => sum + simulator.arrivals, 0),
    });
    expect(arrived.length).toBeGreaterThan(1);
    expect(line).not.toHaveProperty('errors');
    expect(line).not.toHaveProperty('details');
    expect(typeof line.durationMs).toBe('number');
  });

  it('names no source and no call for an operation answered from configuration only', async () => {
    const { access } = await ask({ query: 'query Names { sources { name } }' }, 'access-line-0003');
    expect(access).toEqual([
      expect.objectContaining({ operationName: 'Names', sources: [], vendorCalls: 0, outcome: 'ok', status: 200 }),
    ]);
  });

  it('says error with the codes for a request refused before it ran', async () => {
    const { status, access } = await ask('{"query": "{ ledgers( "}', 'access-line-0004');
    expect(status).toBe(400);
    expect(access).toEqual([
      expect.objectContaining({
        status: 400,
        outcome: 'error',
        errors: ['GRAPHQL_PARSE_FAILED'],
        sources: [],
        vendorCalls: 0,
      }),
    ]);
    expect(access[0]).not.toHaveProperty('operationType');
  });

  it('keeps an operation name the caller sent with a document that did not parse only when it is a GraphQL name', async () => {
    const named = await ask({ query: 'query Broken {', operationName: 'Broken' }, 'access-line-0005');
    expect(named.access[0]).toMatchObject({ operationName: 'Broken', outcome: 'error' });
    const forged = await ask(
      { query: 'query Broken {', operationName: 'x\n{"level":"info","msg":"access","status":200}' },
      'access-line-0006',
    );
    expect(forged.access).toHaveLength(1);
    expect(forged.access[0]).not.toHaveProperty('operationName');
  });

  it('logs /health and /ready at debug only', async () => {
    const from = t.logs.length;
    for (const probe of ['/health', '/ready']) expect((await fetch(url.replace('/graphql', probe))).status).toBe(200);
    const access = parse(t.logs.slice(from)).filter((line) => line.msg === 'access');
    expect(access.map((line) => [line.path, line.level, line.status])).toEqual([
      ['/health', 'debug', 200],
      ['/ready', 'debug', 200],
    ]);
  });
});

describe('a sick source in the access line', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway();
    await t.demo.simulators.blnk.close();
  });
  afterAll(() => t?.close());

  it('says partial, lists the code, and carries the request id on every line of the request', async () => {
    const from = t.logs.length;
    const response = await t.query('query Everything { ledgers(first: 50) { nodes { name } } }', undefined, {
      'x-request-id': 'sick-source-0001',
    });
    expect(response.status).toBe(200);
    const lines = parse(t.logs.slice(from));
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(line).toMatchObject({ requestId: 'sick-source-0001' });
    expect(lines.find((line) => line.msg === 'source failed')).toMatchObject({
      source: 'blnk-demo',
      cause: 'refused',
    });
    expect(lines.filter((line) => line.msg === 'access')).toEqual([
      expect.objectContaining({
        outcome: 'partial',
        errors: ['SOURCE_UNAVAILABLE'],
        operationName: 'Everything',
        // The refused call was sent (and counted) before the connection failed.
        sources: expect.arrayContaining(['blnk-demo', 'formance-demo']),
      }),
    ]);
  });
});

describe('the logger', () => {
  it('writes fields flat, with the request scope, and censors credential fields wherever they sit', () => {
    const lines: string[] = [];
    const logger = createLogger('info', (line) => lines.push(line));
    runInRequestScope({ requestId: 'scope-0001', caller: 'ops' }, () =>
      logger.warn(
        'vendor said no',
        { headers: { authorization: 'Bearer s3cr3t-token', 'x-api-key': 'k3y-value' }, code: 'X' },
        { auth: { clientSecret: 'cl13nt-secret', password: 'pa55word' }, apiSecret: 'ap1-secret' },
      ),
    );
    logger.debug('below the level');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toEqual({
      level: 'warn',
      time: expect.any(String),
      requestId: 'scope-0001',
      caller: 'ops',
      msg: 'vendor said no',
      code: 'X',
      headers: { authorization: '[redacted]', 'x-api-key': '[redacted]' },
      auth: { clientSecret: '[redacted]', password: '[redacted]' },
      apiSecret: '[redacted]',
    });
  });

  it("keeps a non-gateway error's name and frames, never its message", () => {
    const lines: string[] = [];
    createLogger('debug', (line) => lines.push(line)).error(
      'failed',
      new SyntaxError('Unexpected token in {"secret":"http://10.0.0.7:4000/v2"}'),
    );
    const line = JSON.parse(lines[0]!);
    expect(line).toMatchObject({ level: 'error', msg: 'failed', error: 'SyntaxError' });
    expect(lines[0]).not.toContain('10.0.0.7');
    expect(lines[0]).not.toContain('Unexpected token');
  });

  it('gives an error logged alone (as yoga logs one it masks) a message, and keeps its own out', () => {
    const lines: string[] = [];
    createLogger('error', (line) => lines.push(line)).error(new TypeError('cannot read http://10.0.0.7:4000'));
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'error', msg: 'unexpected error', error: 'TypeError' });
    expect(lines[0]).not.toContain('10.0.0.7');
  });
});

describe('output format', () => {
  const bin = join(import.meta.dirname, '..', 'bin', 'balance-gateway.js');

  /** Runs the demo until it says it listens; `tty` runs it under script(1), so stderr is a terminal. */
  async function firstOutput(tty: boolean): Promise<string> {
    const command = [process.execPath, bin, '--demo', '--port', '0'];
    const child = tty
      ? spawn('script', ['-qfec', command.map((part) => `'${part}'`).join(' '), '/dev/null'], {
          stdio: ['ignore', 'pipe', 'pipe'],
          detached: true,
        })
      : spawn(command[0]!, command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise((resolve) => child.on('exit', resolve));
    try {
      for (let waited = 0; waited < 15_000 && !/listening[\s\S]*listening/.test(output); waited += 50)
        await new Promise((resolve) => setTimeout(resolve, 50));
      return output;
    } finally {
      process.kill(-child.pid!, 'SIGTERM');
      await exited;
    }
  }

  it('is pretty when stderr is a terminal and JSON lines otherwise', async () => {
    const pretty = await firstOutput(true);
    expect(pretty).toMatch(/INFO.*listening/);
    expect(pretty).not.toContain('{"level"');
    const json = await firstOutput(false);
    expect(json).toMatch(
      /^\{"level":"info","time":"[^"]+","url":"http:\/\/127\.0\.0\.1:\d+\/graphql".*"msg":"listening"\}$/m,
    );
  });
});
