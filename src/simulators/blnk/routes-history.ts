import { totalsAt } from './data.ts';
import type { RouteContext } from './routes.ts';
import { fail, ok, type Reply } from './wire.ts';

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Go's `time.Parse(time.RFC3339, …)`: fractional seconds accepted, calendar ranges checked. */
function parseRfc3339(text: string): { micros: number; echo: string } | null {
  const match = RFC3339.exec(text);
  if (!match) return null;
  const [, year, month, day, hour, minute, second, fraction = '', zone = 'Z'] = match;
  const daysInMonth = new Date(Date.UTC(Number(year), Number(month), 0)).getUTCDate();
  if (
    Number(month) < 1 ||
    Number(month) > 12 ||
    Number(day) < 1 ||
    Number(day) > daysInMonth ||
    Number(hour) > 23 ||
    Number(minute) > 59 ||
    Number(second) > 59
  )
    return null;
  const millis = Date.parse(`${year}-${month}-${day}T${hour}:${minute}:${second}${zone}`);
  const micros = millis * 1000 + Number(fraction.slice(1, 7).padEnd(6, '0'));
  // time.RFC3339 formatting drops the fraction and writes a zero offset as Z.
  return {
    micros,
    echo: `${year}-${month}-${day}T${hour}:${minute}:${second}${/^[+-]00:00$/.test(zone) ? 'Z' : zone}`,
  };
}

/** `GET /balances/{id}/at`: credit and debit summed from the applied movements up to the instant. */
export function getBalanceAt(context: RouteContext, id: string, query: URLSearchParams): Reply {
  const text = query.get('timestamp') ?? '';
  const target =
    text === '' ? { micros: Date.now() * 1000, echo: `${new Date().toISOString().slice(0, 19)}Z` } : parseRfc3339(text);
  if (!target)
    return fail(
      400,
      'BAL_INVALID_TIMESTAMP',
      'invalid timestamp format. Please use ISO 8601 format (e.g., 2024-01-01T15:04:05Z)',
    );
  const balance = context.data.balances.find((item) => item.balanceId === id);
  if (!balance) return fail(404, 'BAL_NOT_FOUND', `Balance '${id}' not found`, { details: {} });
  const applied = balance.movements.filter((movement) => movement.atMicros <= target.micros).length;
  if (applied === 0 && context.historyBeforeFirstMovement === 'not-found') {
    return fail(404, 'BAL_HISTORY_NOT_FOUND', `no balance data found for time: ${text}`);
  }
  const totals = totalsAt(balance, target.micros);
  const fromSource = query.get('from_source') === 'true' || query.get('from_source') === '1';
  return ok({
    balance: {
      balance: totals.balance,
      balance_id: balance.balanceId,
      credit_balance: totals.credit,
      currency: balance.currency,
      debit_balance: totals.debit,
    },
    from_source: fromSource,
    timestamp: target.echo,
  });
}
