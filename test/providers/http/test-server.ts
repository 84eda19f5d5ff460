import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import { SourceError } from '../../../src/errors.ts';
import {
  createSourceTransport,
  DEFAULT_TRANSPORT,
  HttpClient,
  type HttpClientOptions,
} from '../../../src/providers/http/index.ts';

export interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface TestServer {
  port: number;
  baseUrl: string;
  received: Received[];
  /** TCP connections the server accepted. */
  connections: () => number;
}

export type Handler = (request: IncomingMessage, response: ServerResponse, index: number) => void;

/** What each test leaves open (servers, clients); `closeAll` closes them, newest first, after each test. */
export const cleanups: (() => Promise<void>)[] = [];

export async function closeAll(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
}

/** A real HTTP server on 127.0.0.1 and a free port; it records every request and counts sockets. */
export async function startServer(handler: Handler): Promise<TestServer> {
  const received: Received[] = [];
  let connections = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString(),
      });
      handler(request, response, received.length - 1);
    });
  });
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { port, baseUrl: `http://127.0.0.1:${port}/api/ledger`, received, connections: () => connections };
}

/** Client options with a response size cap. */
export function capped(maxResponseBytes: number): Partial<HttpClientOptions> {
  return { transport: createSourceTransport('test', { ...DEFAULT_TRANSPORT, maxResponseBytes }) };
}

export function client(server: { baseUrl: string }, options: Partial<HttpClientOptions> = {}): HttpClient {
  const http = new HttpClient({ source: 'acme', baseUrl: server.baseUrl, timeoutMs: 300, ...options });
  cleanups.push(() => http.close());
  return http;
}

export function json(
  response: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(body);
}

/** Runs `call` and returns the SourceError it must fail with. */
export async function failure(call: Promise<unknown>): Promise<SourceError> {
  const error = await call.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(SourceError);
  return error as SourceError;
}
