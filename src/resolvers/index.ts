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

/**
 * A field a model holds under its own name (an account's `address`, a ledger's `name`, a balance's
 * amounts) has no resolver: the default one reads the property, which compiled execution
 * (plugins/compiled-execution.ts) inlines, where a resolver of ours makes it build a resolve info
 * and three closures per call (bench/PASSES.md, "Sixteenth pass": 4 % of the bytes a request for 50
 * accounts by id allocates, 9 % on the nested page). test/resolvers-default.test.ts keeps it so.
 */
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
