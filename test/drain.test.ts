import { mkdtemp, writeFile } from 'node:fs/promises';
import { Agent, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BLNK_DEMO_API_KEY, BLNK_DEMO_CURRENCY_SCALES, startBlnkSimulator } from '../src/simulators/blnk/index.ts';
import { logLine, run, waitFor } from './helpers/cli.ts';
import { startSlowLink } from './helpers/slow-link.ts';

/**
 * SIGTERM under keep-alive load, through the real CLI process: 100 clients, each on its own
 * keep-alive connection, send requests back to back (half of them pausing 20 ms between two), on a
 * new connection when the last answer said `Connection: close`, until a connection is refused.
 *
 * What "accepted" means: the gateway read the request (its HTTP parser emitted it). The gateway
 * counts those and logs the count when it stops; the test counts the complete answers it received.
 * Every request the gateway read must have been answered in full: answers received = requests the
 * gateway read, none cut. Every other request was never read, and its client saw nothing of an
 * answer: a refused connection, or a connection closed before any byte of an answer (written onto
 * a connection the gateway had closed, idle, before the request arrived, or caught in the kernel's
 * accept queue when the listening socket closed). A partial answer is a loss, whatever the count.
 */
const CLIENTS = 100;
const QUERY = JSON.stringify({ query: '{ ledgers(first: 1) { nodes { name } } }' });

type Outcome =
  | { kind: 'answered'; status: number; connection: string | undefined; body: string }
  | { kind: 'refused' }
  | { kind: 'unanswered'; reused: boolean; code: string }
  | { kind: 'partial'; code: string };

function send(agent: Agent, port: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const request = httpRequest({
      agent,
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/graphql',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(QUERY) },
    });
    let responded = false;
    request.on('response', (response) => {
      responded = true;
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', (error: NodeJS.ErrnoException) => resolve({ kind: 'partial', code: String(error.code) }));
      response.on('end', () =>
        resolve(
          response.complete
            ? {
                kind: 'answered',
                status: response.statusCode ?? 0,
                connection: response.headers.connection,
                body: Buffer.concat(chunks).toString('utf8'),
              }
            : { kind: 'partial', code: 'incomplete' },
        ),
      );
    });
    request.on('error', (error: NodeJS.ErrnoException) => {
      if (responded) return resolve({ kind: 'partial', code: String(error.code) });
      if (error.code === 'ECONNREFUSED') return resolve({ kind: 'refused' });
      resolve({ kind: 'unanswered', reused: request.reusedSocket, code: String(error.code) });
    });
    request.end(QUERY);
  });
}

describe('SIGTERM under keep-alive load', () => {
  let directory: string;
  let blnk: Awaited<ReturnType<typeof startBlnkSimulator>>;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'gateway-drain-'));
    blnk = await startBlnkSimulator({ apiKey: BLNK_DEMO_API_KEY, latencyMs: 20 });
  });
  afterAll(async () => {
    await blnk?.close();
  });

  it.each([
    { noticeMs: 0, linkDelayMs: 0 },
    { noticeMs: 500, linkDelayMs: 0 },
    { noticeMs: 0, linkDelayMs: 20 },
  ])(
    'answers every request it read, in full (drainNoticeMs $noticeMs, link latency $linkDelayMs ms)',
    async ({ noticeMs, linkDelayMs }) => {
      const file = join(directory, `load-${noticeMs}-${linkDelayMs}.json`);
      await writeFile(
        file,
        JSON.stringify({
          server: { graphiql: false, drainMs: 10_000, drainNoticeMs: noticeMs },
          sources: [
            {
              name: 'blnk',
              kind: 'blnk',
              url: blnk.url,
              auth: { apiKey: BLNK_DEMO_API_KEY },
              currencyScales: BLNK_DEMO_CURRENCY_SCALES,
            },
          ],
        }),
      );
      const gateway = run(['--config', file, '--port', '0']);
      const outcomes: Outcome[] = [];
      let closeLink = async () => {};
      try {
        const [, listening] = await waitFor(gateway, /listening on http:\/\/127\.0\.0\.1:(\d+)\//);
        const link = linkDelayMs > 0 ? await startSlowLink(Number(listening), linkDelayMs) : undefined;
        if (link) closeLink = () => link.close();
        const port = link?.port ?? Number(listening);
        let signalled = false;
        const clients = Array.from({ length: CLIENTS }, async (_, client) => {
          const agent = new Agent({ keepAlive: true, maxSockets: 1 });
          for (;;) {
            const outcome = await send(agent, port);
            outcomes.push(outcome);
            // Refused, or (through the link, which accepts first) reset on a new connection: the gateway is gone.
            if (outcome.kind === 'refused' || (outcome.kind === 'unanswered' && !outcome.reused)) break;
            // Half the clients think a little between requests, so at SIGTERM many connections are idle.
            if (client % 2 === 1) await new Promise((resolve) => setTimeout(resolve, 20));
            // Under load at SIGTERM: once 500 answers have come back, every client has a request in flight or about to be.
            if (!signalled && outcomes.length >= 500) {
              signalled = true;
              gateway.stop();
            }
          }
          agent.destroy();
        });
        await Promise.all(clients);
        expect(await gateway.exited).toBe(0);
      } finally {
        gateway.stop();
        await closeLink();
      }

      const answered = outcomes.filter((outcome) => outcome.kind === 'answered');
      const unanswered = outcomes.filter((outcome) => outcome.kind === 'unanswered');
      const refused = outcomes.filter((outcome) => outcome.kind === 'refused');
      expect(outcomes.filter((outcome) => outcome.kind === 'partial')).toEqual([]);
      expect(outcomes.length).toBe(answered.length + unanswered.length + refused.length);
      // A keep-alive connection is closed only once idle for a second, and these clients write their
      // next request as soon as they have read an answer: none meets a closed connection.
      expect(unanswered.filter((outcome) => outcome.kind === 'unanswered' && outcome.reused)).toEqual([]);
      // Each answer is a whole, well-formed GraphQL answer.
      for (const answer of answered) {
        expect(answer.status).toBe(200);
        expect(JSON.parse(answer.body)).toEqual({ data: { ledgers: { nodes: [{ name: expect.any(String) }] } } });
      }
      // Every request the gateway read was answered, in full; the others never reached it.
      process.stdout.write(
        `drain, notice ${noticeMs} ms: ${outcomes.length} sent, ${answered.length} answered, ${refused.length} refused, ${unanswered.length} closed unanswered (${unanswered.filter((o) => o.kind === 'unanswered' && o.reused).length} on reused connections)\n`,
      );
      expect(logLine(gateway, 'stopped')).toMatchObject({
        requests: answered.length,
        answered: answered.length,
        abandoned: 0,
        cut: 0,
      });
      // The drain happened under load: answers told clients to close, and every client was then refused.
      expect(answered.filter((answer) => answer.connection === 'close').length).toBeGreaterThan(0);
      expect(refused.length + unanswered.length).toBeGreaterThanOrEqual(CLIENTS);
    },
  );
});
