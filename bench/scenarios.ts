import type { BenchScenario } from './side-by-side.ts';

/** The bench's queries, shared by run.ts, compare.ts and the passthrough's answers. */
export const BALANCES =
  'query($id: ID!) { ledger(id: $id) { balances(first: 50) { nodes { asset total { amount minorUnits } available { amount } } } } }';
export const BY_ID =
  'query($ids: [ID!]!) { nodes(ids: $ids) { ... on Account { address balances { asset total { amount } } } } }';
export const NESTED =
  'query($id: ID!) { ledger(id: $id) { name accounts(first: 20) { nodes { address balances { asset total { amount minorUnits scale } } } pageInfo { hasNextPage endCursor } } } }';
export const ALL_FIVE =
  '{ ledgers(first: 30) { nodes { name source { kind } accounts(first: 3) { nodes { address balances { asset total { amount } } } } } } }';

type Node = Record<string, any>;
const accountBalances = (accounts: Node[]): Array<[string, string]> =>
  accounts.flatMap((account: Node) =>
    (account.balances as Node[]).map((balance): [string, string] => [
      `${account.address}/${balance.asset}`,
      JSON.stringify(balance.total),
    ]),
  );

/**
 * The three Blnk scenarios the gateway and the bare passthrough both answer (issue 14): a list of 50
 * balances of one ledger, 50 accounts' balances by id, one ledger → 20 accounts → their balances.
 */
export function blnkScenarios(ledgerId: string, accountIds: readonly string[]): BenchScenario[] {
  return [
    {
      name: 'blnk: list of 50 balances',
      query: BALANCES,
      variables: { id: ledgerId },
      // A list of balances names no account here: its position and asset identify each.
      balances: (data) =>
        (data.ledger.balances.nodes as Node[]).map((node, index): [string, string] => [
          `${index}/${node.asset}`,
          JSON.stringify([node.total, node.available]),
        ]),
    },
    {
      name: "blnk: 50 accounts' balances by id",
      query: BY_ID,
      variables: { ids: accountIds },
      balances: (data) => accountBalances(data.nodes as Node[]),
    },
    {
      name: 'blnk: ledger → 20 accounts → balances',
      query: NESTED,
      variables: { id: ledgerId },
      balances: (data) => [
        [`ledger ${data.ledger.name}`, ''],
        ...accountBalances(data.ledger.accounts.nodes as Node[]),
      ],
    },
  ];
}
