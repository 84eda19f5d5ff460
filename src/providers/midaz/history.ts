import { BadUserInputError } from '../../errors.ts';
import { readArray } from '../json.ts';
import type { HistoryPointModel, HistoryRequest } from '../types.ts';
import { unexpected } from './api.ts';
import { accountNotFound, isMidazId, type LookupContext } from './lookup.ts';
import { mapMidazHistoryTotal } from './map.ts';

/**
 * Point-in-time balances from `GET …/accounts/{account_id}/balances/history?date=…`, which answers
 * every balance the account held at that instant (one row per key). A batch asks each distinct
 * (ledger, account, instant) once, whatever the assets and requests that need it, under the API's
 * concurrency cap; points come back in the order asked.
 *
 * Server behaviour (components/ledger/internal/adapters/http/in/balance.go, v3.8.0): `date` goes
 * through lib-commons `ParseDateTime` (a time part is required, 0131 otherwise; no zone means
 * UTC; Go takes a fraction after the seconds), a date after the server's clock is 400 code 0140,
 * and an account with no balance by then is 404 code 0141. The gateway never asks for an instant
 * after its own clock, and leaves out the point of an instant with no data (0141, or 0140 from a
 * server whose clock runs behind): the resolver fills those with zero.
 */

/** `2024-01-15 10:30:00`, the documented format, in UTC; milliseconds are added only when there are some. */
export function midazDate(millis: number): string {
  const iso = new Date(millis).toISOString();
  const fraction = iso.slice(19, 23);
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction === '.000' ? '' : fraction}`;
}

interface Plan {
  readonly request: HistoryRequest;
  /** Per instant asked: the key of its read, or null for an instant in the future. */
  readonly reads: ReadonlyArray<string | null>;
}

export async function getMidazHistory(
  context: LookupContext,
  requests: readonly HistoryRequest[],
): Promise<Array<readonly HistoryPointModel[] | Error>> {
  const { api, scales } = context;
  const now = Date.now();
  const reads = new Map<string, Promise<unknown[] | null>>();
  const read = (ledgerId: string, accountId: string, date: string): Promise<unknown[] | null> => {
    const path = `/ledgers/${ledgerId}/accounts/${accountId}/balances/history`;
    const key = `${path}?${date}`;
    let pending = reads.get(key);
    if (!pending) {
      pending = api.get(path, { date }, [400, 404]).then((reply) => {
        if (reply.status === 404 && reply.code === '0141') return null; // no balance existed then
        if (reply.status === 400 && reply.code === '0140') return null; // after the server's clock
        if (reply.status !== 200) throw unexpected(api, reply);
        return api.decode(() => readArray(reply.body, 'balance history'));
      });
      reads.set(key, pending);
    }
    return pending;
  };

  const plans: Array<Plan | Error> = requests.map((request) => {
    const { ledgerId, accountId } = request.account;
    if (!isMidazId(ledgerId) || !isMidazId(accountId)) return accountNotFound(api.source, request.account);
    const keys: Array<string | null> = [];
    for (const at of request.at) {
      const millis = Date.parse(at);
      if (Number.isNaN(millis)) return new BadUserInputError(`"${at}" is not an ISO 8601 instant`);
      keys.push(millis > now ? null : midazDate(millis));
    }
    // Start every read of the batch before awaiting any: the cap, not this loop, paces them.
    for (const date of keys)
      if (date !== null) void read(ledgerId.toLowerCase(), accountId.toLowerCase(), date).catch(() => undefined);
    return { request, reads: keys };
  });

  return Promise.all(
    plans.map(async (plan) => {
      if (plan instanceof Error) return plan;
      const { ledgerId, accountId } = plan.request.account;
      try {
        const points: HistoryPointModel[] = [];
        for (const [index, date] of plan.reads.entries()) {
          if (date === null) continue;
          const rows = await read(ledgerId.toLowerCase(), accountId.toLowerCase(), date);
          if (rows === null) continue;
          const balance = api.decode(() =>
            mapMidazHistoryTotal(api.source, rows, plan.request.asset, scales, accountId),
          );
          if (balance !== null) points.push({ at: plan.request.at[index] as string, balance });
        }
        return points;
      } catch (error) {
        return error instanceof Error ? error : new Error(String(error));
      }
    }),
  );
}
