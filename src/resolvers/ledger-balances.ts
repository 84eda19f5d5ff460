import { type FieldNode, type GraphQLObjectType, type GraphQLResolveInfo, getArgumentValues, Kind } from 'graphql';
import type { GatewayContext } from '../context.ts';
import type { LedgerBalancesArgs } from '../generated/resolvers.ts';
import type { Connector, LedgerModel, LedgerRef } from '../providers/types.ts';
import { filterKey, resolveConnection } from './connections.ts';
import { connectorOf } from './helpers.ts';
import { ledgerGlobalId } from './ids.ts';
import type { BalanceConnectionModel } from './models.ts';

/** `Ledger.balances`: one page of a ledger's balances; the accounts they carry answer later reads of the request. */
export async function ledgerBalances(
  context: GatewayContext,
  ledger: LedgerRef,
  { filter, ...args }: Partial<LedgerBalancesArgs>,
): Promise<BalanceConnectionModel> {
  const connector = connectorOf(context, ledger.source);
  const connection = await resolveConnection(
    context,
    connector.listBalances(ledger, filter ?? {}),
    args,
    `Ledger.balances:${ledgerGlobalId(ledger)}:${filterKey(filter)}`,
  );
  context.loaders.accounts.primeLater(connection.edges, ({ node }, prime) => {
    if (node.account) prime(node.account, node.account);
  });
  return connection;
}

type Settled = { readonly page: BalanceConnectionModel } | { readonly error: unknown };

/** The page `Query.ledger` already read for the one `balances` field under it, by the ledger it answered. */
const pageRead = new WeakMap<LedgerModel, Settled>();

/** Takes the page read for `ledger` by `ledgerProvedByBalances`, if any (each is answered once). */
export function takeBalancesRead(ledger: LedgerModel): Promise<BalanceConnectionModel> | undefined {
  const settled = pageRead.get(ledger);
  if (settled === undefined) return undefined;
  pageRead.delete(ledger);
  return 'page' in settled ? Promise.resolve(settled.page) : Promise.reject(settled.error);
}

// Per document: whether a `ledger` field asks for nothing but its id and one `balances` page.
const onlyBalances = new WeakMap<FieldNode, FieldNode | null>();

function balancesFieldOf(info: GraphQLResolveInfo): FieldNode | null {
  const [field, ...more] = info.fieldNodes;
  if (field === undefined || more.length > 0) return null;
  const known = onlyBalances.get(field);
  if (known !== undefined) return known;
  let balances: FieldNode | null = null;
  for (const selection of field.selectionSet?.selections ?? []) {
    const plain = selection.kind === Kind.FIELD && !selection.directives?.length;
    const name = plain ? selection.name.value : '';
    if (name === 'balances' && balances === null) balances = selection as FieldNode;
    else if (name !== 'id' && name !== '__typename') {
      balances = null;
      break;
    }
  }
  onlyBalances.set(field, balances);
  return balances;
}

/**
 * `Query.ledger` in one vendor call where the source allows it (`listProvesLedger`) and the field
 * asks for nothing but the ledger's id and one `balances` page: that page is read first, and a
 * non-empty one proves the ledger exists. An empty page, or a failed read, falls back to the
 * lookup, so an unknown ledger is NOT_FOUND (null) exactly as before, and a ledger that exists
 * answers the page, or the page's error, on its `balances` field. Undefined when this does not apply.
 */
export function ledgerProvedByBalances(
  context: GatewayContext,
  connector: Connector,
  ref: LedgerRef,
  info: GraphQLResolveInfo,
): Promise<LedgerModel> | undefined {
  if (!connector.listProvesLedger) return undefined;
  const field = balancesFieldOf(info);
  const ledgerType = info.schema.getType('Ledger') as GraphQLObjectType | undefined;
  const definition = ledgerType?.getFields().balances;
  if (field === null || definition === undefined) return undefined;
  const args = getArgumentValues(definition, field, info.variableValues) as Partial<LedgerBalancesArgs>;
  const answer = (ledger: LedgerModel, settled: Settled): LedgerModel => {
    // A model of its own per field, so two aliases of one ledger never take each other's page.
    const own = Object.freeze({ ...ledger });
    pageRead.set(own, settled);
    return own;
  };
  const lookup = async (settled: Settled) => answer(await context.loaders.ledgers.load(ref), settled);
  return ledgerBalances(context, ref, args).then(
    (page) =>
      page.edges.length > 0
        ? // Only the id and the page are read from it (balancesFieldOf): the vendor's ledger record is not needed.
          answer(
            { source: ref.source, ledgerId: ref.ledgerId, name: ref.ledgerId, createdAt: null, metadata: null },
            {
              page,
            },
          )
        : lookup({ page }),
    (error: unknown) => lookup({ error }),
  );
}
