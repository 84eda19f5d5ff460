import { connect, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP link with `delayMs` of latency each way, in front of `port` on 127.0.0.1: what a client
 * across a network sees. Bytes, the end of a stream (FIN) and a reset each reach the other side
 * `delayMs` later, in order, so a request and the server's close of an idle connection can cross
 * on the way, as they do between real hosts. A connection the server refuses is reset.
 */
export interface SlowLink {
  readonly port: number;
  close(): Promise<void>;
}

export async function startSlowLink(port: number, delayMs: number): Promise<SlowLink> {
  const sockets = new Set<Socket>();
  /** Relays `from` to `to` with the delay, keeping the order of data and end. */
  const relay = (from: Socket, to: Socket) => {
    const later = (action: () => void) => setTimeout(action, delayMs);
    from.on('data', (chunk: Buffer) => later(() => to.destroyed || to.write(chunk)));
    from.on('end', () => later(() => to.end()));
    const reset = (socket: Socket) => later(() => socket.destroyed || socket.resetAndDestroy());
    from.on('error', () => reset(to));
    // A write onto a side the server already closed: the client's side is reset, as TCP would.
    to.on('error', () => reset(from));
  };
  const server = createServer({ allowHalfOpen: true }, (client) => {
    const upstream = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    }
    relay(client, upstream);
    relay(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
