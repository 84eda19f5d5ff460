/**
 * Facts of the Midaz API that pricing needs (the cost estimate, limits/cost.ts). Midaz has no read
 * of many accounts' balances: one account's balances are `…/accounts/{id}/balances`, 100 a page,
 * followed by `next_cursor` to the end (lookup.ts `getMidazAccountBalances`), then one account read
 * when the walk found none. So `Account.balances` is a walk per account, not one batched read.
 */
export const MIDAZ_ACCOUNT_BALANCES_WALK = true;
