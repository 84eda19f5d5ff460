/**
 * One gateway replica in a process of its own (test/helpers/replicas.ts): it receives its
 * configuration over IPC, listens on a free loopback port, reports it, and sends each log line
 * it writes to the parent. It stops when the parent disconnects.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseConfig } from '../../src/config.ts';
import { createGateway } from '../../src/gateway.ts';
import { createLogger } from '../../src/logger.ts';

process.once('message', async (config: Record<string, unknown>) => {
  const gateway = createGateway(parseConfig(config), {
    logger: createLogger('debug', (line) => process.send?.({ log: line })),
  });
  // As the CLI does: listen once what replicas share is connected (or its connect deadline passed).
  await gateway.connected();
  const listener = createServer(gateway.yoga);
  listener.listen(0, '127.0.0.1', () => {
    process.send?.({ port: (listener.address() as AddressInfo).port });
  });
  process.on('disconnect', () => {
    listener.closeAllConnections();
    listener.close();
    void gateway.close().then(() => process.exit(0));
  });
});
