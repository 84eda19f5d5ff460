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
 */
export async function arrivalsDuring(
  simulators: ReadonlyArray<{ readonly arrivals: number; readonly inFlight: number; resetRequests(): void }>,
  ms = 1000,
): Promise<number> {
  for (const simulator of simulators) {
    if (simulator.inFlight !== 0) throw new Error('a vendor call is still in flight');
    simulator.resetRequests();
  }
  await new Promise((resolve) => setTimeout(resolve, ms));
  return simulators.reduce((sum, simulator) => sum + simulator.arrivals, 0);
}
