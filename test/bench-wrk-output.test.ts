import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { onPath, parseWrkOutput, runWrk, SETTLE_MS, wrkCorrected, wrkFailures, wrkTime } from '../bench/wrk.ts';

// Real reports of Debian's wrk 4.1.0 (`wrk -t1 -c2 -d1s --latency -s <wrkScript>`, the s one -d3s),
// captured against a node:http server answering at once (us), after 15 ms (ms), after 1.1 s (s),
// and one that answered every 5th request 500, every 7th 200 with GraphQL errors and closed
// every 11th socket unanswered (bad). The last line is our script's done().
const US = `Running 1s test @ http://127.0.0.1:43773/graphql
  1 threads and 2 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   226.08us  618.50us   6.99ms   94.04%
    Req/Sec    23.37k    11.26k   42.38k    60.00%
  Latency Distribution
     50%   64.00us
     75%  118.00us
     90%  325.00us
     99%    3.38ms
  23222 requests in 1.00s, 4.56MB read
Requests/sec:  23215.22
Transfer/sec:      4.56MB
Answers not 200 or with GraphQL errors: 0
`;
const MS = `Running 1s test @ http://127.0.0.1:35353/graphql
  1 threads and 2 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    16.03ms    0.94ms  21.63ms   82.26%
    Req/Sec   124.10      8.72   141.00     80.00%
  Latency Distribution
     50%   15.86ms
     75%   16.13ms
     90%   16.99ms
     99%   20.74ms
  124 requests in 1.00s, 24.95KB read
Requests/sec:    123.51
Transfer/sec:     24.85KB
Answers not 200 or with GraphQL errors: 0
`;
// wrk pads a time in seconds with a trailing space.
const S = `Running 3s test @ http://127.0.0.1:43447/graphql
  1 threads and 2 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.11s     3.28ms   1.11s    50.00%
    Req/Sec     1.00      0.00     1.00    100.00%
  Latency Distribution
     50%    1.11s 
     75%    1.11s 
     90%    1.11s 
     99%    1.11s 
  4 requests in 3.01s, 824.00B read
Requests/sec:      1.33
Transfer/sec:     273.76B
Answers not 200 or with GraphQL errors: 0
`;
const BAD = `Running 1s test @ http://127.0.0.1:38501/graphql
  1 threads and 2 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.00ms    1.49ms  11.83ms   63.14%
    Req/Sec     1.04k    97.40     1.16k    70.00%
  Latency Distribution
     50%    2.33ms
     75%    2.64ms
     90%    3.39ms
     99%    6.63ms
  1033 requests in 1.00s, 213.40KB read
  Socket errors: connect 0, read 68, write 0, timeout 0
  Non-2xx or 3xx responses: 220
Requests/sec:   1029.96
Transfer/sec:    212.77KB
Answers not 200 or with GraphQL errors: 346
`;

const noSocketErrors = { connect: 0, read: 0, write: 0, timeout: 0 };

describe("wrk's report", () => {
  it('reads latencies in us as ms', () => {
    const report = parseWrkOutput(US);
    expect(report).toEqual({
      requests: 23222,
      perSecond: 23215.22,
      p50: 0.064,
      p99: 3.38,
      non2xx: 0,
      socketErrors: noSocketErrors,
      badAnswers: 0,
    });
    expect(wrkFailures(report)).toBeUndefined();
  });

  it('reads latencies in ms', () => {
    const report = parseWrkOutput(MS);
    expect(report).toMatchObject({ requests: 124, perSecond: 123.51, p50: 15.86, p99: 20.74 });
    expect(wrkFailures(report)).toBeUndefined();
  });

  it('reads latencies in s as ms, trailing space and all', () => {
    const report = parseWrkOutput(S);
    expect(report).toMatchObject({ requests: 4, perSecond: 1.33, p50: 1110, p99: 1110 });
    expect(wrkFailures(report)).toBeUndefined();
  });

  it('reads the failed answers and socket errors, and a run with them fails', () => {
    const report = parseWrkOutput(BAD);
    expect(report).toEqual({
      requests: 1033,
      perSecond: 1029.96,
      p50: 2.33,
      p99: 6.63,
      non2xx: 220,
      socketErrors: { connect: 0, read: 68, write: 0, timeout: 0 },
      badAnswers: 346,
    });
    expect(wrkFailures(report)).toBe(
      '220 answers with a status above 399; socket errors: connect 0, read 68, write 0, timeout 0; 346 answers not 200 or with GraphQL errors',
    );
  });

  it('fails a run on any one kind of failure alone', () => {
    const clean = parseWrkOutput(MS);
    expect(wrkFailures({ ...clean, non2xx: 1 })).toBe('1 answers with a status above 399');
    expect(wrkFailures({ ...clean, socketErrors: { ...noSocketErrors, timeout: 1 } })).toBe(
      'socket errors: connect 0, read 0, write 0, timeout 1',
    );
    expect(wrkFailures({ ...clean, badAnswers: 1 })).toBe('1 answers not 200 or with GraphQL errors');
    expect(wrkFailures({ ...clean, requests: 0 })).toBe('no request answered');
  });

  it('refuses a report without a figure it needs rather than read it as a clean run', () => {
    // Without our script's line: the script did not run, so nothing counted GraphQL errors.
    expect(() => parseWrkOutput(BAD.replace(/^Answers not 200.*\n/m, ''))).toThrow(/Answers not 200/);
    // Without --latency there is no distribution.
    expect(() => parseWrkOutput(MS.replace(/^\s*99%.*\n/m, ''))).toThrow(/99%/);
    expect(() => parseWrkOutput(MS.replace(/^Requests\/sec.*\n/m, ''))).toThrow(/Requests\/sec/);
    expect(() => parseWrkOutput('unable to connect to 127.0.0.1:1 Connection refused\n')).toThrow(/request count/);
  });

  it('converts every unit of wrk exactly, to the double nearest the decimal value', () => {
    // 2.01 * 1000 is 2009.9999999999998 and 0.07 / 1000 is 0.00007000000000000001 in doubles.
    expect(wrkTime('2.01s')).toBe(2010);
    expect(wrkTime('0.07us')).toBe(0.00007);
    expect(wrkTime('12.34us')).toBe(0.01234);
    expect(wrkTime('842.00us')).toBe(0.842);
    expect(wrkTime('1.50m')).toBe(90_000);
    expect(wrkTime('2.00h')).toBe(7_200_000);
    expect(wrkTime('7ms')).toBe(7);
    expect(() => wrkTime('1.2 ms')).toThrow(/not a wrk time/);
    expect(() => wrkTime('3ns')).toThrow(/not a wrk time/);
  });
});

// The generated script against a real server, where wrk is installed (the bench needs it; CI does not).
describe.skipIf(!onPath('wrk'))('wrk with our script', () => {
  it('opens every connection before the first request, so a busy server leaves none waiting to be accepted', async () => {
    // A busy Node server accepts one new connection per turn of its event loop: without the
    // settle, the first requests keep it busy while the last connections wait to be accepted.
    const accepted: number[] = [];
    const firstRequests = new Map<Socket, number>();
    const server = createServer((request, response) => {
      if (!firstRequests.has(request.socket)) firstRequests.set(request.socket, performance.now());
      const busyUntil = performance.now() + 2;
      while (performance.now() < busyUntil);
      request.resume();
      request.on('end', () => response.end('{"data":{}}'));
    });
    server.on('connection', () => accepted.push(performance.now()));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      const started = performance.now();
      const report = parseWrkOutput(
        await runWrk({
          url: `http://127.0.0.1:${port}/`,
          bodies: ['{}'],
          connections: 20,
          seconds: 1,
          pinToCore1: false,
        }),
      );
      // wrk opens one connection of its own before its thread's 20, and sends nothing on it.
      expect(accepted.length).toBeGreaterThanOrEqual(20);
      expect(firstRequests.size).toBe(20);
      expect(Math.min(...firstRequests.values())).toBeGreaterThan(Math.max(...accepted));
      expect(Math.min(...firstRequests.values()) - started).toBeGreaterThanOrEqual(SETTLE_MS - 20);
      expect(report.requests).toBeGreaterThan(20);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('POSTs several bodies in turn, each byte for byte', async () => {
    const bodies = ['{"variables":{"first":3}}', '{"variables":{"first":2}}', '{"variables":{"first":"é \\"1"}}'];
    const received: string[] = [];
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push(Buffer.concat(chunks).toString('utf8'));
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{"data":{}}');
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      const report = parseWrkOutput(
        await runWrk({ url: `http://127.0.0.1:${port}/`, bodies, connections: 1, seconds: 1, pinToCore1: false }),
      );
      expect(report.requests).toBeGreaterThan(6);
      // One connection: the server reads them in the order sent, round and round (from the second:
      // wrk builds one request at start-up that it never sends).
      expect(new Set(received)).toEqual(new Set(bodies));
      const following = received.slice(1).map((body, index) => bodies.indexOf(body) - bodies.indexOf(received[index]!));
      expect(new Set(following.map((step) => (step + bodies.length) % bodies.length))).toEqual(new Set([1]));
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('POSTs the body byte for byte as JSON and counts answers that carry GraphQL errors', async () => {
    const body = JSON.stringify({
      query: 'query($id: ID!) { ledger(id: $id) { name } }',
      // A digit after each escaped byte: Lua reads up to three digits of an escape.
      variables: { id: 'quote "1 backslash \\2 newline \n3 tab \t4 é5 €6 😀7 ]] ]=]', n: '"0' },
    });
    const received = new Set<string>();
    const contentTypes = new Set<string | undefined>();
    let answered = 0;
    let withErrors = 0;
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.add(`${request.method} ${request.url} ${Buffer.concat(chunks).toString('utf8')}`);
        contentTypes.add(request.headers['content-type']);
        answered += 1;
        const errors = answered % 3 === 0;
        if (errors) withErrors += 1;
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(errors ? '{"errors":[{"message":"no"}],"data":null}' : '{"data":{"ledger":{"name":"errors"}}}');
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      const report = parseWrkOutput(
        await runWrk({
          url: `http://127.0.0.1:${port}/graphql`,
          bodies: [body],
          connections: 1,
          seconds: 1,
          pinToCore1: false,
        }),
      );
      expect([...received]).toEqual([`POST /graphql ${body}`]);
      expect([...contentTypes]).toEqual(['application/json']);
      expect(report.non2xx).toBe(0);
      // wrk may stop before reading the last answer the server sent, never count one it did not send.
      expect(report.requests).toBeGreaterThan(2);
      expect(report.requests).toBeLessThanOrEqual(answered);
      expect(report.badAnswers).toBeGreaterThan(0);
      expect(report.badAnswers).toBeLessThanOrEqual(withErrors);
      expect(report.badAnswers).toBeGreaterThanOrEqual(withErrors - 1);
      expect(wrkFailures(report)).toMatch(/answers not 200 or with GraphQL errors$/);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

describe("wrk's correction for coordinated omission", () => {
  it('adds, for each latency of at least two intervals, one sample per interval missed, while above one interval', () => {
    // Interval 10: 25 adds 15; 40 adds 30 and 20 (not 10); 20 adds nothing (10 is not above 10).
    expect(wrkCorrected([40, 5, 25, 10, 20], 10)).toEqual([5, 10, 15, 20, 20, 25, 30, 40]);
  });

  it('leaves latencies under two intervals, and any list without an interval, as they are (sorted)', () => {
    expect(wrkCorrected([19, 3, 11], 10)).toEqual([3, 11, 19]);
    expect(wrkCorrected([50, 1], 0)).toEqual([1, 50]);
  });
});
