import { readScales } from '../../config-fields.ts';
import { SOURCE_BASE_FIELDS, defineProviderKind } from '../types.ts';
import { createMidazConnector, DEFAULT_CONCURRENCY, type MidazOptions } from './index.ts';

/** `kind: midaz`: `organizationId`, `auth: { token? }` (Bearer), `assetScales` (required), `concurrency`. */
export const midazProvider = defineProviderKind<MidazOptions>({
  kind: 'midaz',
  parseOptions(fields, base) {
    fields.only([...SOURCE_BASE_FIELDS, 'auth', 'organizationId', 'assetScales', 'concurrency']);
    const auth = fields.optionalObject('auth');
    auth?.only(['token']);
    return {
      url: base.url,
      timeoutMs: base.timeoutMs,
      organizationId: fields.string('organizationId'),
      auth: auth ? { token: auth.optionalString('token') ?? null } : null,
      assetScales: readScales(fields.object('assetScales')),
      concurrency: fields.optionalInteger('concurrency', 1, 64) ?? DEFAULT_CONCURRENCY,
    };
  },
  create: createMidazConnector,
});
