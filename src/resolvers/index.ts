import type { Resolvers } from '../generated/resolvers.ts';
import { Account } from './Account.ts';
import { Balance } from './Balance.ts';
import { connectionTypes } from './connection-types.ts';
import { Ledger } from './Ledger.ts';
import { Mutation, TopUpPayload } from './Mutation.ts';
import { Node } from './Node.ts';
import { Query } from './Query.ts';
import { BigIntScalar, DateTime, Decimal, JSONScalar } from './scalars.ts';
import { Source } from './Source.ts';

export const resolvers: Resolvers = {
  Query,
  Mutation,
  TopUpPayload,
  Node,
  Source,
  Ledger,
  Account,
  Balance,
  ...connectionTypes,
  Decimal,
  BigInt: BigIntScalar,
  DateTime,
  JSON: JSONScalar,
};
