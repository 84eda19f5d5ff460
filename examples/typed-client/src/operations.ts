import { graphql } from './gql/index.ts';

/** A page of ledgers across every source; pass the previous page's `endCursor` as `after`. */
export const LedgersPageDocument = graphql(`
  query LedgersPage($first: Int!, $after: String) {
    ledgers(first: $first, after: $after) {
      edges {
        cursor
        node {
          id
          name
          source {
            name
            kind
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

/** A ledger by its global id (`node`), with a few accounts and their exact balances. */
export const LedgerAccountsDocument = graphql(`
  query LedgerAccounts($id: ID!, $first: Int!) {
    node(id: $id) {
      ... on Ledger {
        name
        accounts(first: $first) {
          nodes {
            id
            address
            balances {
              asset
              total {
                amount
                minorUnits
                scale
                asset
              }
            }
          }
        }
      }
    }
  }
`);

/** One account's daily balance in one asset between two instants. */
export const AccountHistoryDocument = graphql(`
  query AccountHistory($id: ID!, $asset: String!, $from: DateTime!, $to: DateTime!) {
    node(id: $id) {
      ... on Account {
        address
        history(asset: $asset, from: $from, to: $to, interval: DAY) {
          nodes {
            at
            balance {
              amount
              minorUnits
              scale
              asset
            }
          }
        }
      }
    }
  }
`);
