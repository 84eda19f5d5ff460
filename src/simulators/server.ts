import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerWithFault, prepareFault } from './answer-with-fault.ts';
import type { SimulatorFault } from './faults.ts';
import { isPagingFault, type PagingFault } from './faults.ts';
import { createPagingFaults, type PagingWire } from './paging-faults.ts';
import { createQuotaGate, type QuotaStyle } from './quota.ts';
import { createRequestRecorder } from './recorder.ts';
import type { SimulatorReply, SimulatorRequest, SimulatorServer } from './types.ts';

export interface SimulatorServerOptions {
  /** Default 0: any free port. */
  readonly port?: number;
  /** Delay before each answer, to make concurrency observable. Default 0. */
  readonly latencyMs?: number;
  /** The status a `rate-limited` fault answers with: 429, or Ledger Enterprise's 420. Default 429. */
  readonly rateLimitStatus?: number;
  /** How the vendor's lists page, for the paging faults; without it (an unpaged API) they change nothing. */
  readonly paging?: PagingWire;
  /** How the vendor refuses a call over its quota (`setQuota`; quota.ts). Default `gateway`. */
  readonly quotaStyle?: QuotaStyle;
}

/** Starts a simulator on 127.0.0.1 that answers each request with `route`. */
export async function startSimulatorServer(
  route: (request: SimulatorRequest) => SimulatorReply | Promise<SimulatorReply>,
  options: SimulatorServerOptions = {},
): Promise<SimulatorServer> {
  const recorder = createRequestRecorder();
  let inFlight = 0;
  let peakInFlight = 0;
  let fault: SimulatorFault | PagingFault | null = null;
  const pagingFaults = options.paging ? createPagingFaults(options.paging) : null;
  let closing: Promise<void> | undefined;
  const quota = createQuotaGate(options.quotaStyle ?? 'gateway');

  const answer = async (
    incoming: IncomingMessage,
    response: ServerResponse,
    body: string,
    overQuota: SimulatorReply | null,
  ): Promise<void> => {
    const [path = '/', search = ''] = (incoming.url ?? '/').split(/\?(.*)/s);
    const query = new URLSearchParams(search);
    const headers: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(incoming.headers))
      headers[name] = Array.isArray(value) ? value.join(', ') : value;
    const request: SimulatorRequest = { method: incoming.method ?? 'GET', path, query, headers, body };
    const routed = async (asked: SimulatorRequest): Promise<SimulatorReply> => {
      try {
        return await route(asked);
      } catch {
        return { status: 500, headers: { 'content-type': 'text/plain' }, body: 'internal server error' };
      }
    };
    const real = () => routed(request);
    const recordedQuery: Record<string, string[]> = {};
    for (const key of new Set(query.keys())) recordedQuery[key] = query.getAll(key);
    const record = (status: number) =>
      recorder.record({ method: request.method, path, query: recordedQuery, headers, body, status });
    const reply = (answered: SimulatorReply) => {
      record(answered.status);
      const headersOut = { 'content-length': String(Buffer.byteLength(answered.body)), ...answered.headers };
      if (answered.statusText === undefined) response.writeHead(answered.status, headersOut);
      else response.writeHead(answered.status, answered.statusText, headersOut);
      response.end(answered.body);
    };
    // A call over the vendor's quota is refused before anything else looks at it, as a limiter in front does.
    if (overQuota !== null) return reply(overQuota);
    if (fault !== null && !isPagingFault(fault)) {
      await answerWithFault(fault, { response, real, record, rateLimitStatus: options.rateLimitStatus ?? 429 });
      return;
    }
    reply(fault !== null && pagingFaults ? await pagingFaults.answer(fault, request, routed) : await real());
  };

  const server = createServer((incoming, response) => {
    recorder.arrive((incoming.url ?? '/').split('?')[0] ?? '/');
    const overQuota = quota.admit(Date.now());
    inFlight += 1;
    peakInFlight = Math.max(peakInFlight, inFlight);
    response.on('close', () => (inFlight -= 1));
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const go = () => void answer(incoming, response, body, overQuota).catch(() => response.destroy());
      if (options.latencyMs) setTimeout(go, options.latencyMs);
      else go();
    });
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  // `refuse`: every connection is closed the moment it opens, before a byte is read. (Closing the
  // listener would refuse outright, but the freed port could be taken by another test process
  // before the simulator listens again.)
  server.on('connection', (socket) => {
    if (fault === 'refuse') socket.destroy();
  });
  await listen(options.port ?? 0);
  const { port } = server.address() as AddressInfo;
  const stop = () =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
      server.closeAllConnections();
    });

  return {
    url: `http://127.0.0.1:${port}`,
    requests: recorder.requests,
    get requestCount() {
      return recorder.count;
    },
    get arrivals() {
      return recorder.arrivals;
    },
    arrivedPaths: recorder.arrivedPaths,
    arrivalTimes: recorder.arrivalTimes,
    get peakInFlight() {
      return peakInFlight;
    },
    get inFlight() {
      return inFlight;
    },
    resetRequests() {
      recorder.reset();
      peakInFlight = inFlight;
    },
    get fault() {
      return fault;
    },
    async setFault(next) {
      if (!isPagingFault(next)) await prepareFault(next);
      fault = next;
      // Open keep-alive connections would let requests past a refusal: cut them too.
      if (next === 'refuse') server.closeAllConnections();
    },
    setQuota: (next) => quota.set(next),
    get refused() {
      return quota.refused;
    },
    refusedTimes: quota.refusedTimes,
    close: () => (closing ??= stop()),
  };
}

/** Adds a vendor's own members to its server, keeping getters live (Object.assign would copy their current values). */
export function extendSimulator<Extra extends object>(server: SimulatorServer, extra: Extra): SimulatorServer & Extra {
  return Object.defineProperties(server, Object.getOwnPropertyDescriptors(extra)) as SimulatorServer & Extra;
}
