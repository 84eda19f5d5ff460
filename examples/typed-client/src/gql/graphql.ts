/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** The vendor API behind a source. */
export type ProviderKind =
  /** Blnk. */
  | 'BLNK'
  /** Formance Ledger. */
  | 'FORMANCE'
  /** Ledger Enterprise (Vault API). */
  | 'LEDGER_ENTERPRISE'
  /** Lerian Midaz. */
  | 'MIDAZ'
  /** Vonage Account API. */
  | 'VONAGE';

export type LedgersPageQueryVariables = Exact<{
  first: number;
  after?: string | null | undefined;
}>;


export type LedgersPageQuery = { ledgers: { edges: Array<{ cursor: string, node: { id: string, name: string, source: { name: string, kind: ProviderKind } } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type LedgerAccountsQueryVariables = Exact<{
  id: string | number;
  first: number;
}>;


export type LedgerAccountsQuery = { node:
    | { name: string, accounts: { nodes: Array<{ id: string, address: string, balances: Array<{ asset: string, total: { amount: string, minorUnits: string, scale: number, asset: string } }> | null }> } | null }
    | Record<PropertyKey, never>
   | null };

export type AccountHistoryQueryVariables = Exact<{
  id: string | number;
  asset: string;
  from: string;
  to: string;
}>;


export type AccountHistoryQuery = { node:
    | { address: string, history: { nodes: Array<{ at: string, balance: { amount: string, minorUnits: string, scale: number, asset: string } }> } | null }
    | Record<PropertyKey, never>
   | null };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}

export const LedgersPageDocument = new TypedDocumentString(`
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
    `, {"hash":"sha256:d033fa91f15920f90415b40c7ce88c3cbe353b7e6cb9a8fd20ec61c204efcb73"}) as unknown as TypedDocumentString<LedgersPageQuery, LedgersPageQueryVariables>;
export const LedgerAccountsDocument = new TypedDocumentString(`
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
    `, {"hash":"sha256:9a26b456bf6f5c4fb269342f3cc9b9b5afeae35a72eaa3ef14ce6125ec4d489d"}) as unknown as TypedDocumentString<LedgerAccountsQuery, LedgerAccountsQueryVariables>;
export const AccountHistoryDocument = new TypedDocumentString(`
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
    `, {"hash":"sha256:1b562effefad7a6c7e2f4b4353cfa3e81ac85a3f3e21d9463aa860121ba95b2a"}) as unknown as TypedDocumentString<AccountHistoryQuery, AccountHistoryQueryVariables>;