import { BadUserInputError } from '../errors.ts';
import type { AccountRef, BalanceRef, LedgerRef } from '../providers/types.ts';
import { decodeGlobalId, encodeGlobalId } from '../relay/global-id.ts';
import { RelayInputError } from '../relay/errors.ts';

/** Global IDs of each Node type, and their decoding back to vendor references. */
export type NodeRef =
  | { readonly type: 'Source'; readonly source: string }
  | ({ readonly type: 'Ledger' } & LedgerRef)
  | ({ readonly type: 'Account' } & AccountRef)
  | ({ readonly type: 'Balance' } & BalanceRef);

export const sourceGlobalId = (source: string) => encodeGlobalId('Source', [source]);
export const ledgerGlobalId = (ref: LedgerRef) => encodeGlobalId('Ledger', [ref.source, ref.ledgerId]);
export const accountGlobalId = (ref: AccountRef) =>
  encodeGlobalId('Account', [ref.source, ref.ledgerId, ref.accountId]);
export const balanceGlobalId = (ref: BalanceRef) =>
  encodeGlobalId('Balance', [ref.source, ref.ledgerId, ref.accountId, ref.balanceId]);

const arity = { Source: 1, Ledger: 2, Account: 3, Balance: 4 } as const;

/** Decodes a global ID; a malformed one is BAD_USER_INPUT. */
export function decodeNodeId(id: string): NodeRef {
  let decoded: ReturnType<typeof decodeGlobalId>;
  try {
    decoded = decodeGlobalId(id);
  } catch (error) {
    if (error instanceof RelayInputError) throw new BadUserInputError(`"${id.slice(0, 60)}" is ${error.message}`);
    throw error;
  }
  const { type, parts } = decoded;
  if (!(type in arity) || parts.length !== arity[type as keyof typeof arity])
    throw new BadUserInputError(`"${id.slice(0, 60)}" is not an ID issued by this gateway`);
  const [source = '', ledgerId = '', accountId = '', balanceId = ''] = parts;
  switch (type) {
    case 'Source':
      return { type, source };
    case 'Ledger':
      return { type, source, ledgerId };
    case 'Account':
      return { type, source, ledgerId, accountId };
    default:
      return { type: 'Balance', source, ledgerId, accountId, balanceId };
  }
}

/** Decodes an ID that must be of one type (`Query.ledger(id)` takes Ledger IDs only). */
export function decodeIdOf<T extends NodeRef['type']>(id: string, type: T): Extract<NodeRef, { type: T }> {
  const ref = decodeNodeId(id);
  if (ref.type !== type)
    throw new BadUserInputError(`expected ${type === 'Account' ? 'an' : 'a'} ${type} ID, got a ${ref.type} ID`);
  return ref as Extract<NodeRef, { type: T }>;
}
