import { totalsAt, type BlnkSeedBalance } from './data.ts';
import type { Cell } from './filter.ts';

/* The columns of Blnk's tables as its filters and `sort_by` read them. */

/** A `meta_data.<key>` filter reads the JSON value as text (Postgres `->>`). */
export function metaCell(metaData: Record<string, unknown> | null, field: string): Cell {
  const value = metaData?.[field.slice('meta_data.'.length)];
  return value === undefined || value === null
    ? null
    : typeof value === 'object'
      ? JSON.stringify(value)
      : String(value);
}

/** A column of the balances table; the amounts are the totals of all the balance's movements. */
export function balanceCell(balance: BlnkSeedBalance, field: string): Cell {
  if (field.startsWith('meta_data.')) return metaCell(balance.metaData, field);
  const totals = totalsAt(balance);
  switch (field) {
    case 'balance_id':
      return balance.balanceId;
    case 'ledger_id':
      return balance.ledgerId;
    case 'identity_id':
      return balance.identityId || null;
    case 'indicator':
      return balance.indicator;
    case 'currency':
      return balance.currency;
    case 'balance':
      return totals.balance;
    case 'credit_balance':
      return totals.credit;
    case 'debit_balance':
      return totals.debit;
    case 'inflight_balance':
      return balance.inflightCredit - balance.inflightDebit;
    case 'inflight_credit_balance':
      return balance.inflightCredit;
    case 'inflight_debit_balance':
      return balance.inflightDebit;
    case 'created_at':
      return { micros: balance.createdAtMicros };
    default:
      return null;
  }
}

/** Sort order of two cells: nulls last, times by instant, text and amounts by value. */
export function compareCells(a: Cell, b: Cell): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  if (typeof a === 'object' && typeof b === 'object') return a.micros - b.micros;
  return a < b ? -1 : a > b ? 1 : 0;
}
