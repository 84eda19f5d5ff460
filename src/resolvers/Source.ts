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
  health: (connector, _, context) => {
    const snapshot = context.runtime.breakers.get(connector.name)?.snapshot();
    if (!snapshot) return { circuit: 'CLOSED', consecutiveFailures: 0, openedAt: null, retryAt: null };
    return {
      circuit: snapshot.state,
      consecutiveFailures: snapshot.consecutiveFailures,
      openedAt: snapshot.openedAt,
      retryAt: snapshot.retryAt,
    };
  },
  ledgers: (connector, args, context) =>
    resolveConnection(context, connector.listLedgers(), args, `Source.ledgers:${connector.name}`),
};
