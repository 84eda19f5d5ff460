import { BadUserInputError } from '../errors.ts';
import type { MutationResolvers, TopUpPayloadResolvers } from '../generated/resolvers.ts';
import { methodFor } from '../providers/capabilities.ts';
import { connectorOf } from './helpers.ts';

const MAX_TRX_LENGTH = 256;

export const Mutation: MutationResolvers = {
  topUp: async (_, { input }, context) => {
    const connector = context.connectors.get(input.source);
    if (!connector) throw new BadUserInputError(`no source named "${input.source.slice(0, 60)}" is configured`);
    const topUp = methodFor(connector, 'TOP_UP');
    const trx = input.trx.trim();
    if (trx === '' || trx.length > MAX_TRX_LENGTH)
      throw new BadUserInputError(`"trx" must be a transaction reference of 1 to ${MAX_TRX_LENGTH} characters`);
    return topUp({ trx });
  },
};

export const TopUpPayload: TopUpPayloadResolvers = {
  source: (payload, _, context) => connectorOf(context, payload.source),
};
