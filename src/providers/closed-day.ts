/**
 * `cache: 'history'` for a read of balances at `instant` when that instant falls on a day (UTC)
 * before today: such a point no longer changes, so the read cache may keep it `historyTtlMs`
 * (read-cache.ts). An instant of today or later, or one that does not parse, is an ordinary read.
 */
export function historyCacheKind(instant: string | undefined, now = Date.now()): { cache?: 'history' } {
  const at = instant === undefined ? Number.NaN : Date.parse(instant);
  const startOfToday = now - (now % 86_400_000);
  return Number.isFinite(at) && at < startOfToday ? { cache: 'history' } : {};
}
