/* eslint-disable */
import * as types from './graphql.ts';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query LedgersPage($first: Int!, $after: String) {\n    ledgers(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          name\n          source {\n            name\n            kind\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.LedgersPageDocument,
    "\n  query LedgerAccounts($id: ID!, $first: Int!) {\n    node(id: $id) {\n      ... on Ledger {\n        name\n        accounts(first: $first) {\n          nodes {\n            id\n            address\n            balances {\n              asset\n              total {\n                amount\n                minorUnits\n                scale\n                asset\n              }\n            }\n          }\n        }\n      }\n    }\n  }\n": typeof types.LedgerAccountsDocument,
    "\n  query AccountHistory($id: ID!, $asset: String!, $from: DateTime!, $to: DateTime!) {\n    node(id: $id) {\n      ... on Account {\n        address\n        history(asset: $asset, from: $from, to: $to, interval: DAY) {\n          nodes {\n            at\n            balance {\n              amount\n              minorUnits\n              scale\n              asset\n            }\n          }\n        }\n      }\n    }\n  }\n": typeof types.AccountHistoryDocument,
};
const documents: Documents = {
    "\n  query LedgersPage($first: Int!, $after: String) {\n    ledgers(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          name\n          source {\n            name\n            kind\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.LedgersPageDocument,
    "\n  query LedgerAccounts($id: ID!, $first: Int!) {\n    node(id: $id) {\n      ... on Ledger {\n        name\n        accounts(first: $first) {\n          nodes {\n            id\n            address\n            balances {\n              asset\n              total {\n                amount\n                minorUnits\n                scale\n                asset\n              }\n            }\n          }\n        }\n      }\n    }\n  }\n": types.LedgerAccountsDocument,
    "\n  query AccountHistory($id: ID!, $asset: String!, $from: DateTime!, $to: DateTime!) {\n    node(id: $id) {\n      ... on Account {\n        address\n        history(asset: $asset, from: $from, to: $to, interval: DAY) {\n          nodes {\n            at\n            balance {\n              amount\n              minorUnits\n              scale\n              asset\n            }\n          }\n        }\n      }\n    }\n  }\n": types.AccountHistoryDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query LedgersPage($first: Int!, $after: String) {\n    ledgers(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          name\n          source {\n            name\n            kind\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): typeof import('./graphql.ts').LedgersPageDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query LedgerAccounts($id: ID!, $first: Int!) {\n    node(id: $id) {\n      ... on Ledger {\n        name\n        accounts(first: $first) {\n          nodes {\n            id\n            address\n            balances {\n              asset\n              total {\n                amount\n                minorUnits\n                scale\n                asset\n              }\n            }\n          }\n        }\n      }\n    }\n  }\n"): typeof import('./graphql.ts').LedgerAccountsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AccountHistory($id: ID!, $asset: String!, $from: DateTime!, $to: DateTime!) {\n    node(id: $id) {\n      ... on Account {\n        address\n        history(asset: $asset, from: $from, to: $to, interval: DAY) {\n          nodes {\n            at\n            balance {\n              amount\n              minorUnits\n              scale\n              asset\n            }\n          }\n        }\n      }\n    }\n  }\n"): typeof import('./graphql.ts').AccountHistoryDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
