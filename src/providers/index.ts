import type { SourceConfig } from '../config.ts';
import { ConfigError } from '../errors.ts';
import { createBlnkConnector } from './blnk/index.ts';
import { createFormanceConnector } from './formance/index.ts';
import { createMidazConnector } from './midaz/index.ts';
import type { Connector } from './types.ts';

/** Builds the connector of one configured source. `index` places errors (`sources[2].kind`). */
export function createConnector(source: SourceConfig, index: number): Connector {
  switch (source.kind) {
    case 'formance':
      return createFormanceConnector(source.name, {
        url: source.url,
        timeoutMs: source.timeoutMs,
        ...(source.auth ? { auth: { clientId: source.auth.clientId, clientSecret: source.auth.clientSecret, ...(source.auth.tokenUrl ? { tokenUrl: source.auth.tokenUrl } : {}) } } : {}),
      });
    case 'blnk':
      return createBlnkConnector(source.name, {
        url: source.url,
        timeoutMs: source.timeoutMs,
        currencyScales: source.currencyScales,
        batchWith: source.batchWith,
        ...(source.auth ? { auth: source.auth } : {}),
      });
    case 'midaz':
      return createMidazConnector(source.name, {
        url: source.url,
        timeoutMs: source.timeoutMs,
        organizationId: source.organizationId,
        auth: source.auth,
        assetScales: source.assetScales,
        concurrency: source.concurrency,
      });
    case 'ledger-enterprise':
    case 'vonage':
      throw new ConfigError(`sources[${index}].kind: "${source.kind}" sources are not available in this version yet`);
  }
}
