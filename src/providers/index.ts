import type { SourceConfig } from '../config.ts';
import { blnkProvider } from './blnk/definition.ts';
import { formanceProvider } from './formance/definition.ts';
import { midazProvider } from './midaz/definition.ts';
import { vonageProvider } from './vonage/definition.ts';
import type { Connector, ProviderDefinition, ProviderKind } from './types.ts';

/**
 * Every vendor kind the gateway can connect to. A new vendor is one `definition.ts` beside its
 * connector and one line here; kinds without a connector yet are refused at start-up by name.
 */
export const PROVIDERS: Partial<Record<ProviderKind, ProviderDefinition<unknown>>> = {
  formance: formanceProvider as ProviderDefinition<unknown>,
  blnk: blnkProvider as ProviderDefinition<unknown>,
  midaz: midazProvider as ProviderDefinition<unknown>,
  vonage: vonageProvider as ProviderDefinition<unknown>,
};

/** Builds the connector of one configured source from the options its kind's definition read. */
export function createConnector(source: SourceConfig): Connector {
  const definition = PROVIDERS[source.kind];
  if (!definition) throw new Error(`no provider for kind "${source.kind}"`); // parseConfig refuses such a source first
  return definition.create(source.name, source.options);
}
