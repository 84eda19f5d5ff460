import type { ProviderKind, SourceResolvers } from '../generated/resolvers.ts';
import { capabilitiesOf } from '../providers/capabilities.ts';
import { resolveConnection } from './connections.ts';
import { sourceGlobalId } from './ids.ts';

/** `ledger-enterprise` → `LEDGER_ENTERPRISE`: the schema's enum spells every kind of the registry so (test/providers/registry.test.ts). */
export const kindEnumValue = (kind: string): ProviderKind => kind.toUpperCase().replaceAll('-', '_') as ProviderKind;

export const Source: SourceResolvers = {
  id: (connector) => sourceGlobalId(connector.name),
  kind: (connector) => kindEnumValue(connector.kind),
  capabilities: (connector) => capabilitiesOf(connector),
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
