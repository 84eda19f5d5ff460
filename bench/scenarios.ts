import type { BenchScenario } from './side-by-side.ts';

/** The bench's queries, shared by run.ts, compare.ts and the passthrough's answers. */
export const BALANCES =
  'query($id: ID!) { ledger(id: $id) { balances(first: 50) { nodes { asset total { amount minorUnits } available { amount } } } } }';
/** BALANCES with the page size a variable, for lists that differ from one request to the next. */
export const SIZED_BALANCES =
  'query($id: ID!, $first: Int!) { ledger(id: $id) { balances(first: $first) { nodes { asset total { amount minorUnits } available { amount } } } } }';
/** The page sizes the unshared list sends in turn: 50 requests in flight each ask a list of their own. */
const PAGE_SIZES = Array.from({ length: 50 }, (_, index) => 50 - index);
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

// A list of balances names no account here: its position and asset identify each.
const listed = (data: Node): Array<[string, string]> =>
  (data.ledger.balances.nodes as Node[]).map((node, index): [string, string] => [
    `${index}/${node.asset}`,
    JSON.stringify([node.total, node.available]),
  ]);

/**
 * The Blnk scenarios the gateway and the bare passthrough both answer (issue 14): a list of 50
 * balances of one ledger, 50 accounts' balances by id, one ledger → 20 accounts → their balances,
 * and lists of 50 down to 1 balances in turn. In the first three every connection asks the same,
 * so the gateway's requests in flight share one vendor call (providers/http/share-inflight-gets.ts);
 * in the last no two requests in flight ask the same list, so each makes its own call, reads and maps
 * its own answer, as requests from different clients and screens mostly do.
 */
export function blnkScenarios(ledgerId: string, accountIds: readonly string[]): BenchScenario[] {
  return [
    {
      name: 'blnk: list of 50 balances',
      query: BALANCES,
      variables: { id: ledgerId },
      balances: listed,
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
    {
      name: 'blnk: lists of 50 to 1 balances, unshared',
      query: SIZED_BALANCES,
      variables: { id: ledgerId, first: 50 },
      variants: PAGE_SIZES.map((first) => ({ id: ledgerId, first })),
      balances: listed,
    },
  ];
}
