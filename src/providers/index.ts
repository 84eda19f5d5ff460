import { blnkProvider } from './blnk/index.ts';
import { formanceProvider } from './formance/index.ts';
import { ledgerEnterpriseProvider } from './ledger-enterprise/index.ts';
import { midazProvider } from './midaz/index.ts';
import type { SourceTransport } from './http/index.ts';
import type { Connector, ProviderDefinition } from './types.ts';
import { vonageProvider } from './vonage/index.ts';

/**
 * The only list of vendor kinds, in the order the configuration's error message names them. The
 * config's `kind` check, `ProviderKind`, `Source.kind` and the capabilities all derive from it: a
 * new vendor is its folder, one line here, and its value in the schema's `ProviderKind` enum.
 */
export const PROVIDERS = [
  formanceProvider,
  ledgerEnterpriseProvider,
  midazProvider,
  blnkProvider,
  vonageProvider,
] as const satisfies readonly ProviderDefinition[];

/** A vendor kind as `sources[].kind` spells it (`ledger-enterprise`). */
export type ProviderKind = (typeof PROVIDERS)[number]['kind'];

export const PROVIDER_KINDS: readonly ProviderKind[] = PROVIDERS.map((provider) => provider.kind);

/** The definition of `kind`; undefined when no vendor has that kind. */
export function findProvider(kind: string): ProviderDefinition<ProviderKind> | undefined {
  return PROVIDERS.find((provider) => provider.kind === kind);
}

/** Builds the connector of one configured source from the options its kind's definition read. */
export function createConnector(
  source: { readonly name: string; readonly kind: ProviderKind; readonly options: unknown },
  transport: SourceTransport,
): Connector {
  const provider = findProvider(source.kind);
  if (!provider) throw new Error(`no provider of kind "${source.kind}"`);
  return provider.create(source.name, source.options, transport);
}
