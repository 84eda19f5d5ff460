import type { SourceResolvers } from '../generated/resolvers.ts';
import type { ProviderKind as Kind } from '../providers/types.ts';
import type { ProviderKind } from '../generated/resolvers.ts';
import { resolveConnection } from './connections.ts';
import { sourceGlobalId } from './ids.ts';

const kinds: Record<Kind, ProviderKind> = {
  formance: 'FORMANCE',
  'ledger-enterprise': 'LEDGER_ENTERPRISE',
  midaz: 'MIDAZ',
  blnk: 'BLNK',
  vonage: 'VONAGE',
};

export const Source: SourceResolvers = {
  id: (connector) => sourceGlobalId(connector.name),
  name: (connector) => connector.name,
  kind: (connector) => kinds[connector.kind],
  capabilities: (connector) => [...connector.capabilities],
  ledgers: (connector, args, context) => resolveConnection(context, connector.listLedgers(), args, `Source.ledgers:${connector.name}`),
};
