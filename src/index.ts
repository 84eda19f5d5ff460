/** The public surface of balance-gateway: the package's `exports` point here (dist/index.js and its .d.ts). */
export { createGateway, type Gateway, type GatewayOptions } from './gateway.ts';
export { loadConfig, parseConfig, type GatewayConfig, type SourceConfig, type ServerConfig } from './config.ts';
export { createSchema, type GatewayServer } from './server.ts';
export type { Readiness } from './plugins/readiness.ts';
export { createLogger, type Logger, type LogLevel } from './logger.ts';
export type {
  Connector,
  ProviderDefinition,
  Capability,
  LedgerModel,
  AccountModel,
  BalanceModel,
  HistoryPointModel,
  SourceBase,
} from './providers/types.ts';
export { defineProvider } from './providers/types.ts';
export { PROVIDERS, type ProviderKind } from './providers/index.ts';
export * as configFields from './config-fields.ts';
export {
  GatewayError,
  BadUserInputError,
  NotFoundError,
  UnsupportedBySourceError,
  SourceError,
  ConfigError,
  type ErrorCode,
} from './errors.ts';
export type { Money } from './money.ts';
export { clientScalars } from './client-scalars.ts';
