import { ConfigError } from '../../errors.ts';
import { readScales } from '../../config-fields.ts';
import { SOURCE_BASE_FIELDS, defineProviderKind } from '../types.ts';
import { createMidazConnector, DEFAULT_CONCURRENCY, type MidazOptions } from './index.ts';
import { isMidazId } from './lookup.ts';

/** `kind: midaz`: `organizationId`, `auth: { token? }` (Bearer), `assetScales` (required), `concurrency`. */
export const midazProvider = defineProviderKind<MidazOptions>({
  kind: 'midaz',
  parseOptions(fields, base) {
    fields.only([...SOURCE_BASE_FIELDS, 'auth', 'organizationId', 'assetScales', 'concurrency']);
    const auth = fields.optionalObject('auth');
    auth?.only(['token']);
    const organizationId = fields.string('organizationId');
    if (!isMidazId(organizationId)) throw new ConfigError(`${fields.path('organizationId')}: must be a UUID`);
    const token = auth?.optionalString('token');
    // A line break would end the Authorization header early.
    if (token !== undefined && /[\r\n]/.test(token))
      throw new ConfigError(`${auth?.path('token')}: must not contain a line break`);
    return {
      url: base.url,
      timeoutMs: base.timeoutMs,
      organizationId,
      auth: auth ? { token: token ?? null } : null,
      assetScales: readScales(fields.object('assetScales')),
      concurrency: fields.optionalInteger('concurrency', 1, 64) ?? DEFAULT_CONCURRENCY,
    };
  },
  create: createMidazConnector,
});
