import { request as httpRequest } from 'node:http';

/** A GraphQL POST over a real socket, which the test may abandon (the client going away). */
export interface SocketAnswer {
  status: number;
  body: { data?: unknown; errors?: Array<{ message: string; path?: unknown[]; extensions?: Record<string, unknown> }> };
}

export interface SocketRequest {
  /** The answer, or a rejection once `leave` destroyed the socket. */
  readonly answer: Promise<SocketAnswer>;
  /** Destroys the client's socket, as a client that gives up does. */
  leave(): void;
}

export function postOverSocket(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): SocketRequest {
  const body = JSON.stringify({ query, variables });
  const request = httpRequest(url, {
    method: 'POST',
    agent: false, // a connection of its own, so leaving closes exactly this request's socket
    headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers },
  });
  const answer = new Promise<SocketAnswer>((resolve, reject) => {
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString()) as never }),
      );
      response.on('error', reject);
    });
    request.on('error', reject);
  });
  answer.catch(() => {}); // a test that leaves does not read the answer
  request.end(body);
  return { answer, leave: () => request.destroy() };
}

/** Polls `condition` every 10 ms; fails after `limitMs` (a bound on a wait, not an assertion on time). */
export async function until(condition: () => boolean, limitMs = 5000, what = 'condition'): Promise<void> {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited >= limitMs) throw new Error(`${what}: not met within ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Vendor requests that arrive at `simulators` over the next `ms` (calls nobody should make any
 * more), counted on arrival, whether answered, aborted or still in flight (a simulator's request
 * log fills only when it answers). Resets the simulators' request logs.
 *
 * The count starts once the simulators are quiet: nothing in flight and no arrival across two
 * turns of the event loop's I/O phase, 25 ms apart. A simulator's in-flight count can read 0 between
 * one request closing and the next one on the same keep-alive socket being parsed; that next
 * request was written before the answers the caller awaited (the gateway and the simulators share
 * this process, and loopback bytes are readable at once), so it is no call made after them. A call
 * the gateway makes later still lands in the counted window; one that keeps coming never lets the
 * simulators fall quiet, and that fails here.
 */
export async function arrivalsDuring(
  simulators: ReadonlyArray<{ readonly arrivals: number; readonly inFlight: number; resetRequests(): void }>,
  ms = 1000,
): Promise<number> {
  await quiet(simulators);
  for (const simulator of simulators) simulator.resetRequests();
  await new Promise((resolve) => setTimeout(resolve, ms));
  return simulators.reduce((sum, simulator) => sum + simulator.arrivals, 0);
}

async function quiet(
  simulators: ReadonlyArray<{ readonly arrivals: number; readonly inFlight: number }>,
  limitMs = 3000,
): Promise<void> {
  const state = () => simulators.map((simulator) => `${simulator.arrivals}/${simulator.inFlight}`).join();
  const idle = () => simulators.every((simulator) => simulator.inFlight === 0);
  let calm = 0;
  for (let waited = 0; calm < 2; waited += 25) {
    if (waited >= limitMs) throw new Error(`the simulators did not fall quiet within ${limitMs} ms`);
    const before = state();
    await new Promise((resolve) => setTimeout(resolve, 25));
    // Two I/O phases: bytes already on a loopback socket are read and parsed by now.
    for (let turn = 0; turn < 2; turn += 1) await new Promise((resolve) => setImmediate(resolve));
    calm = idle() && state() === before ? calm + 1 : 0;
  }
}
