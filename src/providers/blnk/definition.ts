import { ConfigError } from '../../errors.ts';
import { readScales } from '../../config-fields.ts';
import { SOURCE_BASE_FIELDS, defineProviderKind } from '../types.ts';
import { createBlnkConnector, type BlnkOptions } from './index.ts';

/** `kind: blnk`: `auth: { apiKey }` (X-Blnk-Key) or none, `currencyScales`, `batchWith: get | filter`. */
export const blnkProvider = defineProviderKind<BlnkOptions>({
  kind: 'blnk',
  parseOptions(fields, base) {
    fields.only([...SOURCE_BASE_FIELDS, 'auth', 'currencyScales', 'batchWith']);
    const auth = fields.optionalObject('auth');
    auth?.only(['apiKey']);
    const batchWith = fields.optionalString('batchWith') ?? 'get';
    if (batchWith !== 'get' && batchWith !== 'filter')
      throw new ConfigError(`${fields.path('batchWith')}: must be get or filter`);
    return {
      url: base.url,
      timeoutMs: base.timeoutMs,
      currencyScales: readScales(fields.optionalObject('currencyScales')),
      batchWith,
      ...(auth ? { auth: { apiKey: auth.string('apiKey') } } : {}),
    };
  },
  create: createBlnkConnector,
});
