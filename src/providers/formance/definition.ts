import { SOURCE_BASE_FIELDS, defineProviderKind } from '../types.ts';
import { createFormanceConnector, type FormanceOptions } from './index.ts';

/** `kind: formance`: `auth: { clientId, clientSecret, tokenUrl? }` (OAuth2 client credentials), or no auth for an open ledger. */
export const formanceProvider = defineProviderKind<FormanceOptions>({
  kind: 'formance',
  parseOptions(fields, base) {
    fields.only([...SOURCE_BASE_FIELDS, 'auth']);
    const auth = fields.optionalObject('auth');
    auth?.only(['clientId', 'clientSecret', 'tokenUrl']);
    return {
      url: base.url,
      timeoutMs: base.timeoutMs,
      ...(auth
        ? {
            auth: {
              clientId: auth.string('clientId'),
              clientSecret: auth.string('clientSecret'),
              ...(auth.has('tokenUrl') ? { tokenUrl: auth.url('tokenUrl') } : {}),
            },
          }
        : {}),
    };
  },
  create: createFormanceConnector,
});
