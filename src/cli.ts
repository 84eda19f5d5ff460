import { parseArgs } from 'node:util';
import { loadConfig, parseConfig, DEFAULT_SERVER, type GatewayConfig } from './config.ts';
import { ConfigError } from './errors.ts';
import { createDrainableServer } from './drain.ts';
import { createGateway } from './gateway.ts';
import { createLogger, describe, LOG_LEVELS, type LogLevel } from './logger.ts';
import { PROVIDER_KINDS, type ProviderKind } from './providers/index.ts';
import { listenForMetrics } from './telemetry/index.ts';
import { nodeFlags, youngGenerationAdvice } from './young-generation.ts';

// The simulators (src/simulators/) are fakes for demo and fault modes: this file loads them with
// import() only there, and for the fault names of the usage text, so a gateway started with
// --config never loads them.

const loadFaults = () => import('./simulators/faults.ts');
type Faults = Awaited<ReturnType<typeof loadFaults>>;
type Fault = Faults['SIMULATOR_FAULTS'][number] | Faults['PAGING_FAULTS'][number];

/** Every fault `--fault` takes: the simulators' answer faults, then their paging faults. */
async function faultNames(): Promise<readonly Fault[]> {
  const { PAGING_FAULTS, SIMULATOR_FAULTS } = await loadFaults();
  return [...SIMULATOR_FAULTS, ...PAGING_FAULTS];
}

async function usage(): Promise<string> {
  const faults = await faultNames();
  return `Usage: balance-gateway (--config FILE | --demo [--fault VENDOR=FAULT]... [--persisted-operations FILE]) [--port N] [--host H] [--log-level LEVEL]

  --config FILE     YAML or JSON configuration (see README, "Configuration")
  --demo            run against built-in vendor simulators; no configuration needed
  --fault V=F       with --demo: make vendor V (${PROVIDER_KINDS.join(', ')}) fail with F
                    (${faults.join(', ')})
  --persisted-operations FILE
                    with --demo: run only the operations of FILE (server.persistedOperations)
  --port N          listen on port N (overrides server.port; default ${DEFAULT_SERVER.port})
  --host H          listen on interface H (overrides server.host; default ${DEFAULT_SERVER.host})
  --log-level L     debug | info | warn | error | silent (default info); JSON lines on
                    stderr, pretty ones when stderr is a terminal`;
}

function fail(message: string): never {
  process.stderr.write(`balance-gateway: ${message}\n`);
  process.exit(1);
}

async function failWithUsage(message: string): Promise<never> {
  fail(`${message}\n${await usage()}`);
}

/** Each `--fault VENDOR=FAULT`, checked against the simulators' fault names. */
async function readFaults(entries: readonly string[]) {
  const names = await faultNames();
  const faults: Array<{ vendor: ProviderKind; fault: Fault }> = [];
  for (const entry of entries) {
    const [vendor, fault] = entry.split('=');
    if (!PROVIDER_KINDS.includes(vendor as ProviderKind) || !names.includes(fault as Fault))
      await failWithUsage('--fault must be VENDOR=FAULT');
    faults.push({ vendor: vendor as ProviderKind, fault: fault as Fault });
  }
  return faults;
}

async function readOptions() {
  try {
    return parseArgs({
      options: {
        config: { type: 'string' },
        demo: { type: 'boolean', default: false },
        fault: { type: 'string', multiple: true, default: [] },
        'persisted-operations': { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        'log-level': { type: 'string', default: 'info' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (error) {
    return failWithUsage((error as Error).message);
  }
}

async function main(): Promise<void> {
  const options = await readOptions();
  if (options.help) {
    process.stdout.write(`${await usage()}\n`);
    return;
  }
  if (!options.config && !options.demo) await failWithUsage('pass --config FILE or --demo');
  if (options.config && options.demo) await failWithUsage('pass --config FILE or --demo, not both');
  const level = options['log-level'] as LogLevel;
  if (!LOG_LEVELS.includes(level)) fail('--log-level must be debug, info, warn, error or silent');
  const faults = options.fault?.length ? await readFaults(options.fault) : [];
  if (faults.length > 0 && !options.demo) fail('--fault works with --demo only');
  const persisted = options['persisted-operations'];
  if (persisted !== undefined && !options.demo)
    fail('--persisted-operations works with --demo only; set server.persistedOperations in the file');
  const port = options.port === undefined ? undefined : Number(options.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535))
    fail('--port must be an integer from 0 to 65535');
  const logger = createLogger(level);

  let config: GatewayConfig;
  let closeDemo = async () => {};
  try {
    if (options.config) {
      config = await loadConfig(options.config);
    } else {
      const { startDemoSources } = await import('./simulators/demo.ts');
      const demo = await startDemoSources();
      closeDemo = demo.close;
      for (const { vendor, fault } of faults) await demo.simulators[vendor].setFault(fault);
      config = parseConfig({
        server: persisted === undefined ? {} : { persistedOperations: persisted },
        sources: demo.sources,
      });
    }
  } catch (error) {
    // Every problem of the file, one line each, each line starting like the others the command writes.
    if (error instanceof ConfigError) fail(error.message.replaceAll('\n', '\nbalance-gateway: '));
    throw error;
  }
  config = {
    ...config,
    server: {
      ...config.server,
      ...(port !== undefined ? { port } : {}),
      ...(options.host ? { host: options.host } : {}),
    },
  };

  const advice = youngGenerationAdvice(process.constrainedMemory(), nodeFlags());
  if (advice) logger.warn(advice);

  let gateway: ReturnType<typeof createGateway>;
  try {
    gateway = createGateway(config, { logger });
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
  // A request (body included) gets 30 s: Node's default of 300 s would let a slow upload under the
  // body limit hold a socket for five minutes.
  const { server, drain } = createDrainableServer({ requestTimeout: 30_000 }, gateway.yoga);
  server.on('error', (error: NodeJS.ErrnoException) =>
    fail(`cannot listen on ${config.server.host}:${config.server.port} (${error.code ?? error.message})`),
  );
  // `server.metrics.port`: /metrics on a port of its own (README "Metrics and traces").
  const { metrics } = gateway.telemetry;
  const metricsPort = config.server.metrics.port;
  const metricsServer =
    metrics && metricsPort !== null
      ? await listenForMetrics(metrics, config.server.host, metricsPort).catch((error: NodeJS.ErrnoException) =>
          fail(`cannot listen for metrics on ${config.server.host}:${metricsPort} (${error.code ?? error.message})`),
        )
      : undefined;
  if (metricsServer) {
    const address = metricsServer.address();
    const host = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;
    process.stdout.write(
      `  metrics: http://${host}:${typeof address === 'object' && address ? address.port : metricsPort}/metrics\n`,
    );
  }
  // A replica that listened before its Redis connection was up would answer its first requests on
  // its own (own quota, own cache): at most the connect deadline (1 s) is spent waiting.
  await gateway.connected();
  server.listen(config.server.port, config.server.host, () => {
    const address = server.address();
    const shownPort = typeof address === 'object' && address ? address.port : config.server.port;
    const host = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;
    const url = `http://${host}:${shownPort}/graphql`;
    logger.info('listening', { url, sources: config.sources.map((source) => `${source.name} (${source.kind})`) });
    process.stdout.write(
      `balance-gateway ${options.demo ? 'demo ' : ''}listening on ${url}\n` +
        `  sources: ${config.sources.map((source) => `${source.name} (${source.kind})`).join(', ')}\n` +
        faults.map(({ vendor, fault }) => `  fault: the ${vendor} simulator answers with "${fault}"\n`).join('') +
        (config.server.graphiql ? `  GraphiQL: open ${url} in a browser\n` : '') +
        `  health: http://${host}:${shownPort}/health  ready: http://${host}:${shownPort}/ready\n`,
    );
  });

  // Draining (drain.ts): /ready turns 503 and every answer says `Connection: close`; for
  // drainNoticeMs new connections are still served so a load balancer polling /ready can stop
  // routing here; then none is accepted, idle connections close, requests in flight finish (for at
  // most drainMs, then their connections are cut), the vendors' sockets close, exit 0.
  const shutdown = (signal: NodeJS.Signals) => {
    const { drainNoticeMs, drainMs } = config.server;
    logger.info('draining', { signal, drainNoticeMs, drainMs });
    gateway.readiness.draining = true;
    void drain({ noticeMs: drainNoticeMs, drainMs, logger }).then(async (counts) => {
      metricsServer?.close();
      await Promise.all([gateway.close(), closeDemo()]);
      logger.info('stopped', counts);
      process.exit(0);
    });
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

// A promise nobody awaited failed: a bug. Log it without its message (it may quote a vendor) and
// stop, rather than run on in an unknown state; the supervisor restarts the process.
process.on('unhandledRejection', (reason) => {
  createLogger('error').error('unhandled rejection; exiting', describe(reason));
  process.exit(1);
});

await main();
