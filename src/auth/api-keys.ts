import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApiKeyEntry, Principal } from './types.ts';

/** Finds the caller of an API key; null when no configured key matches. */
export type ApiKeyVerifier = (key: string) => Principal | null;

/**
 * Keys are compared by their SHA-256: the configuration holds digests only, and each presented
 * key's digest is compared with every configured one in constant time, without stopping at a
 * match, so the time taken says nothing about which key, or how much of one, matched.
 */
export function createApiKeyVerifier(entries: readonly ApiKeyEntry[]): ApiKeyVerifier {
  const principals = entries.map((entry) => ({
    digest: entry.sha256,
    principal: { id: entry.name, sources: entry.sources } satisfies Principal,
  }));
  return (key) => {
    const digest = createHash('sha256').update(key, 'utf8').digest();
    let found: Principal | null = null;
    for (const candidate of principals) {
      if (timingSafeEqual(candidate.digest, digest)) found = candidate.principal;
    }
    return found;
  };
}
