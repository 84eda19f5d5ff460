import { SOURCE_BASE_FIELDS, defineProviderKind } from '../types.ts';
import { createLedgerEnterpriseConnector, DEFAULT_CONCURRENCY, type LedgerEnterpriseOptions } from './index.ts';

/** `kind: ledger-enterprise`: `auth: { apiUser, apiKey? }` (X-Ledger-API-User / X-Ledger-API-Key), `concurrency`. */
export const ledgerEnterpriseProvider = defineProviderKind<LedgerEnterpriseOptions>({
  kind: 'ledger-enterprise',
  parseOptions(fields, base) {
    fields.only([...SOURCE_BASE_FIELDS, 'auth', 'concurrency']);
    const auth = fields.object('auth');
    auth.only(['apiUser', 'apiKey']);
    const apiKey = auth.optionalString('apiKey');
    return {
      url: base.url,
      timeoutMs: base.timeoutMs,
      auth: { apiUser: auth.string('apiUser'), ...(apiKey === undefined ? {} : { apiKey }) },
      concurrency: fields.optionalInteger('concurrency', 1, 64) ?? DEFAULT_CONCURRENCY,
    };
  },
  create: createLedgerEnterpriseConnector,
});
