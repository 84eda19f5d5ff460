import { describe, expect, it } from 'vitest';
import { RelayInputError } from '../../src/relay/errors.ts';
import { type HistoryWindow, windowInstants } from '../../src/relay/history-window.ts';

const NOW = Date.parse('2025-06-15T12:00:00Z');
const window = (from: string, to: string, interval: HistoryWindow['interval'] = 'DAY'): HistoryWindow => ({
  asset: 'USD',
  from,
  to,
  interval,
});

describe('windowInstants', () => {
  it('lists the instants from `from` to `to` by interval, `to` included when it falls on one', () => {
    expect(windowInstants(window('2025-06-01T00:00:00Z', '2025-06-03T00:00:00Z'), NOW)).toEqual([
      '2025-06-01T00:00:00.000Z',
      '2025-06-02T00:00:00.000Z',
      '2025-06-03T00:00:00.000Z',
    ]);
    expect(windowInstants(window('2025-06-15T09:30:00Z', '2025-06-15T11:59:00Z', 'HOUR'), NOW)).toHaveLength(3);
    expect(windowInstants(window('2025-05-01T00:00:00Z', '2025-06-01T00:00:00Z', 'WEEK'), NOW)).toHaveLength(5);
  });

  it('reads a `to` within five minutes ahead as now, and allows exactly 1,000 intervals', () => {
    const ahead = new Date(NOW + 4 * 60_000).toISOString();
    expect(windowInstants(window('2025-06-15T10:00:00Z', ahead, 'HOUR'), NOW)).toHaveLength(3);
    const start = new Date(NOW - 1000 * 3_600_000).toISOString();
    expect(windowInstants(window(start, new Date(NOW).toISOString(), 'HOUR'), NOW)).toHaveLength(1001);
  });

  it.each([
    ['a reversed window', window('2025-06-03T00:00:00Z', '2025-06-01T00:00:00Z'), '"from" must not be after "to"'],
    ['a future `to`', window('2025-06-01T00:00:00Z', '2025-06-15T12:06:00Z'), '"to" must not be in the future'],
    ['a future `from`', window('2025-06-15T12:04:00Z', '2025-06-15T12:04:30Z'), '"from" must not be in the future'],
    [
      'more than 1,000 intervals',
      window('2025-04-01T00:00:00Z', '2025-06-15T00:00:00Z', 'HOUR'),
      'the window holds 1801 points; narrow it or widen "interval" (at most 1000 intervals)',
    ],
  ])('refuses %s', (_, given, message) => {
    expect(() => windowInstants(given, NOW)).toThrow(new RelayInputError(message));
  });
});
