import type { SourceConfig } from '../config.ts';
import { blnkProvider } from './blnk/definition.ts';
import { formanceProvider } from './formance/definition.ts';
import { ledgerEnterpriseProvider } from './ledger-enterprise/definition.ts';
import { midazProvider } from './midaz/definition.ts';
import type { SourceTransport } from './http/index.ts';
import type { Connector, ProviderDefinition, ProviderKind } from './types.ts';
import { vonageProvider } from './vonage/definition.ts';

/** Every vendor kind and its definition. A new vendor is one `definition.ts` beside its connector and one line here. */
export const PROVIDERS: Readonly<Record<ProviderKind, ProviderDefinition<unknown>>> = {
  formance: formanceProvider as ProviderDefinition<unknown>,
  'ledger-enterprise': ledgerEnterpriseProvider as ProviderDefinition<unknown>,
  midaz: midazProvider as ProviderDefinition<unknown>,
  blnk: blnkProvider as ProviderDefinition<unknown>,
  vonage: vonageProvider as ProviderDefinition<unknown>,
};

/** Builds the connector of one configured source from the options its kind's definition read. */
export function createConnector(source: SourceConfig, transport: SourceTransport): Connector {
  return PROVIDERS[source.kind].create(source.name, source.options, transport);
}
