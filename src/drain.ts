import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerOptions,
  type ServerResponse,
} from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';
import type { Logger } from './logger.ts';

/**
 * A keep-alive connection that went idle less than this long ago is left open when the drain
 * closes idle connections: its client may be writing its next request this very moment (it read
 * its last answer before the drain began), and that request is still answered, with
 * `Connection: close`. Once idle this long, the connection is closed.
 */
const IDLE_GRACE_MS = 1000;
const SWEEP_EVERY_MS = 50;

/** What the server did with the requests it read (the HTTP parser emitted them) since it started. */
export interface RequestCounts {
  /** Requests read. */
  requests: number;
  /** Answers handed in full to the socket. */
  answered: number;
  /** Requests whose client closed the connection before its answer was written. */
  abandoned: number;
  /** Requests still running when `drainMs` ran out, whose connections were closed. */
  cut: number;
}

export interface DrainSettings {
  /** How long new connections are still accepted after the drain starts. */
  readonly noticeMs: number;
  /** Then, how long requests in flight may take before their connections are closed. */
  readonly drainMs: number;
  readonly logger: Logger;
}

export interface DrainableServer {
  readonly server: Server;
  /** Starts the drain; resolves with the counts once the last connection has closed. */
  drain(settings: DrainSettings): Promise<RequestCounts>;
}

/**
 * What the drain tracks, in long-lived Sets: V8's young collections keep reaching an entry a
 * long-lived Set has deleted until the next full collection (`node bench/young-gc.ts set-keyed`),
 * so an entry is a small record that lets go of its socket or response when they close, never the
 * socket or response itself, which would carry every request's objects into the old generation.
 */
interface Connection {
  /** Undefined once closed. */
  socket: Socket | undefined;
  /** Requests read on it whose responses have not closed yet. */
  active: number;
  idleSince: number;
  /** `bytesRead` when it went idle: more since means a request is arriving. */
  bytesReadWhenIdle: number;
}

/**
 * An HTTP server that drains without losing a request it has read. Once `drain` is called every
 * answer not yet started carries `Connection: close`, so keep-alive clients stop reusing their
 * connection after it; after `noticeMs` the listening socket closes (new connections are refused);
 * idle connections are closed once idle for IDLE_GRACE_MS with no request arriving on them; requests
 * in flight finish, for at most `drainMs`, after which their connections are closed.
 *
 * A request is accepted when the server has read it. One written onto a connection the server had
 * already closed as idle was never read: its client sees the connection close without an answer,
 * as HTTP/1.1 allows for a connection closed while idle, and may send it again elsewhere.
 */
export function createDrainableServer(options: ServerOptions, listener: RequestListener): DrainableServer {
  const counts: RequestCounts = { requests: 0, answered: 0, abandoned: 0, cut: 0 };
  const connections = new Set<Connection>();
  /** Each socket's entry in `connections`. */
  const connectionOf = new WeakMap<Socket, Connection>();
  /** Answers not started yet: they get `Connection: close` when the drain begins. */
  const unstarted = new Set<{ response: ServerResponse | undefined }>();
  /** Responses not closed yet. */
  let open = 0;
  let draining = false;
  let cutting = false;
  /** Called once the listening socket has closed, when no response is open any more. */
  let whenDone: (() => void) | undefined;

  const server = createServer(options, (request: IncomingMessage, response: ServerResponse) => {
    counts.requests += 1;
    const connection = connectionOf.get(request.socket);
    if (connection) connection.active += 1;
    const notStarted = { response: draining ? undefined : response };
    if (draining) response.setHeader('connection', 'close');
    else unstarted.add(notStarted);
    open += 1;
    response.once('close', () => {
      notStarted.response = undefined;
      unstarted.delete(notStarted);
      open -= 1;
      if (response.writableFinished) counts.answered += 1;
      else if (!cutting) counts.abandoned += 1; // those cut were counted when the drain period ran out
      if (connection && --connection.active === 0) {
        connection.idleSince = performance.now();
        connection.bytesReadWhenIdle = request.socket.bytesRead;
      }
      if (open === 0) whenDone?.();
    });
    listener(request, response);
  });
  server.on('connection', (socket: Socket) => {
    const connection: Connection = { socket, active: 0, idleSince: performance.now(), bytesReadWhenIdle: 0 };
    connections.add(connection);
    connectionOf.set(socket, connection);
    socket.once('close', () => {
      connection.socket = undefined;
      connections.delete(connection);
      connectionOf.delete(socket);
    });
  });

  const closeIdle = () => {
    const now = performance.now();
    for (const connection of connections) {
      const { socket } = connection;
      if (socket === undefined || connection.active > 0 || socket.bytesRead !== connection.bytesReadWhenIdle) continue;
      if (now - connection.idleSince >= IDLE_GRACE_MS) socket.destroy();
    }
  };

  return {
    server,
    drain({ noticeMs, drainMs, logger }) {
      draining = true;
      for (const { response } of unstarted)
        if (response && !response.headersSent) response.setHeader('connection', 'close');
      unstarted.clear();
      return new Promise((resolve) => {
        setTimeout(() => {
          let sweeper: NodeJS.Timeout | undefined;
          const deadline = setTimeout(() => {
            logger.warn('drain period over; closing connections still open', { connections: connections.size });
            cutting = true;
            counts.cut = open;
            server.closeAllConnections();
          }, drainMs);
          // net's close, not http's: http.Server#close also closes idle keep-alive connections at
          // once, racing a request a client is writing on one; those get the grace above instead.
          NetServer.prototype.close.call(server, () => {
            clearTimeout(deadline);
            clearInterval(sweeper);
            whenDone = () => resolve({ ...counts });
            if (open === 0) whenDone();
          });
          logger.info('no longer accepting connections', { connections: connections.size });
          closeIdle();
          sweeper = setInterval(closeIdle, SWEEP_EVERY_MS);
        }, noticeMs);
      });
    },
  };
}
