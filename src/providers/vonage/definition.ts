import { SOURCE_BASE_FIELDS, defineProviderKind } from '../types.ts';
import { createVonageConnector, type VonageOptions } from './index.ts';

/** `kind: vonage`: `auth: { apiKey, apiSecret }` (sent as HTTP Basic), `subaccountsUrl` (default: `url`). */
export const vonageProvider = defineProviderKind<VonageOptions>({
  kind: 'vonage',
  parseOptions(fields, base) {
    fields.only([...SOURCE_BASE_FIELDS, 'auth', 'subaccountsUrl']);
    const auth = fields.object('auth');
    auth.only(['apiKey', 'apiSecret']);
    return {
      url: base.url,
      timeoutMs: base.timeoutMs,
      auth: { apiKey: auth.string('apiKey'), apiSecret: auth.string('apiSecret') },
      ...(fields.has('subaccountsUrl') ? { subaccountsUrl: fields.url('subaccountsUrl') } : {}),
    };
  },
  create: createVonageConnector,
});
