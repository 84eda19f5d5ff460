import { BadUserInputError } from '../../errors.ts';
import { readArray } from '../json.ts';
import type { HistoryPointModel, HistoryRequest } from '../types.ts';
import { historyCacheKind } from '../closed-day.ts';
import { type MidazReply, unexpected } from './api.ts';
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
  /** Per instant asked: its epoch ms, or null for an instant in the future. */
  readonly reads: ReadonlyArray<number | null>;
}

export async function getMidazHistory(
  context: LookupContext,
  requests: readonly HistoryRequest[],
): Promise<Array<readonly HistoryPointModel[] | Error>> {
  const { api, scales } = context;
  const now = Date.now();
  const reads = new Map<string, Promise<MidazReply | null>>();
  const read = (ledgerId: string, accountId: string, millis: number): Promise<MidazReply | null> => {
    const path = `/ledgers/${ledgerId}/accounts/${accountId}/balances/history`;
    const date = midazDate(millis);
    const key = `${path}?${date}`;
    let pending = reads.get(key);
    if (!pending) {
      // A point of a day before today no longer changes: kept `historyTtlMs` by the source's read cache.
      pending = api.get(path, { date }, [400, 404], historyCacheKind(new Date(millis).toISOString())).then((reply) => {
        if (reply.status === 404 && reply.code === '0141') return null; // no balance existed then
        if (reply.status === 400 && reply.code === '0140') return null; // after the server's clock
        if (reply.status !== 200) throw unexpected(api, reply);
        return reply;
      });
      reads.set(key, pending);
    }
    return pending;
  };

  const plans: Array<Plan | Error> = requests.map((request) => {
    const { ledgerId, accountId } = request.account;
    if (!isMidazId(ledgerId) || !isMidazId(accountId)) return accountNotFound(api.source, request.account);
    const keys: Array<number | null> = [];
    for (const at of request.at) {
      const millis = Date.parse(at);
      if (Number.isNaN(millis)) return new BadUserInputError(`"${at}" is not an ISO 8601 instant`);
      keys.push(millis > now ? null : millis);
    }
    // Start every read of the batch before awaiting any: the cap, not this loop, paces them.
    for (const millis of keys)
      if (millis !== null) void read(ledgerId.toLowerCase(), accountId.toLowerCase(), millis).catch(() => undefined);
    return { request, reads: keys };
  });

  return Promise.all(
    plans.map(async (plan) => {
      if (plan instanceof Error) return plan;
      const { ledgerId, accountId } = plan.request.account;
      try {
        const points: HistoryPointModel[] = [];
        const { asset } = plan.request;
        for (const [index, millis] of plan.reads.entries()) {
          if (millis === null) continue;
          const reply = await read(ledgerId.toLowerCase(), accountId.toLowerCase(), millis);
          if (reply === null) continue;
          // Once per vendor answer and asset (the account is the path's, compared without case).
          // Wrapped: the shared reading is frozen, the Money itself stays as money.ts makes it.
          const { balance } = reply.read(`total:${asset}`, (body) => ({
            balance: mapMidazHistoryTotal(api.source, readArray(body, 'balance history'), asset, scales, accountId),
          }));
          if (balance !== null) points.push({ at: plan.request.at[index] as string, balance });
        }
        return points;
      } catch (error) {
        return error instanceof Error ? error : new Error(String(error));
      }
    }),
  );
}
