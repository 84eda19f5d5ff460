import { BadUserInputError, GatewayError, SourceError } from '../errors.ts';
import type { QueryResolvers } from '../generated/resolvers.ts';
import { concatSequences, sequenceOf } from '../relay/sequence.ts';
import { abandonable } from '../operation-end.ts';
import { resolveConnection } from './connections.ts';
import { connectorOf, orNull } from './helpers.ts';
import { decodeIdOf, decodeNodeId } from './ids.ts';
import { ledgerProvedByBalances } from './ledger-balances.ts';
import { loadBalance, loadNode, type NodeModel } from './Node.ts';

const MAX_NODES = 100;

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));

export const Query: QueryResolvers = {
  node: (_, { id }, context) => orNull(() => loadNode(context, decodeNodeId(id))),
  nodes: (_, { ids }, context) => {
    if (ids.length > MAX_NODES) throw new BadUserInputError(`"ids" takes at most ${MAX_NODES} IDs`);
    // One item per ID, each failing alone: a bad ID or a sick source nulls its own item, with an
    // error at ["nodes", i], and the other items and root fields stay. A failed item resolves to its
    // error rather than rejecting: both executors report an Error item at its index, while graphql-jit
    // 0.8.9 puts an item that rejects before an earlier one resolves at the wrong index (losing one).
    // The executors await each item of a list; the generated types only know a promise of the whole list.
    return ids.map((id) =>
      orNull(() => loadNode(context, decodeNodeId(id))).then(undefined, asError),
    ) as unknown as Array<NodeModel | null>;
  },
  sources: (_, __, context) => [...context.connectors.values()],
  ledgers: (_, args, context, info) => {
    const parts = [...context.connectors.values()].map((connector) => ({
      key: connector.name,
      sequence: sequenceOf(connector.listLedgers()),
      speculate: abandonable, // a read ahead the page did not need stops: its vendor calls are aborted
    }));
    // A sick source leaves the others' ledgers in the page and adds one error naming it (once,
    // however many reads of it failed).
    const failed = new Set<string>();
    const sequence = concatSequences(parts, (source, error) => {
      if (failed.has(source)) return;
      failed.add(source);
      // Anything but a gateway error is a bug: report the source as failed, never the bug's message.
      const reported =
        error instanceof GatewayError
          ? error
          : new SourceError('SOURCE_UNAVAILABLE', `source "${source}" failed`, { source, cause: error });
      context.partialErrors.push({ error: reported, info });
    });
    return resolveConnection(context, sequence, args, 'Query.ledgers');
  },
  ledger: (_, { id }, context, info) => {
    const ref = decodeIdOf(id, 'Ledger');
    return orNull(() => {
      const connector = connectorOf(context, ref.source);
      return ledgerProvedByBalances(context, connector, ref, info) ?? context.loaders.ledgers.load(ref);
    });
  },
  account: (_, { id }, context) => {
    const ref = decodeIdOf(id, 'Account');
    return orNull(() => context.loaders.accounts.load(ref));
  },
  balance: (_, { id }, context) => {
    const ref = decodeIdOf(id, 'Balance');
    return orNull(() => loadBalance(context, ref));
  },
};
