import type { HttpClient, SourceQuota } from '../http/index.ts';
import { isObject, readSafeInteger } from '../json.ts';

/**
 * Vonage publishes each account's cap on API calls: `POST /account/settings` with no fields changes
 * nothing and answers the current settings, `max-calls-per-second` among them
 * (vendor-specs/vonage/account.yml; `max-outbound-request` is the SMS rate, not ours). With a
 * quota configured (`sources[].rateLimit`) the connector reads it once, before its first call,
 * and lowers the quota's ceiling to it. Reading it never fails a field: an unreadable answer is
 * ignored and asked again before a later call; without a quota it is never asked.
 */
export function createPublishedCap(client: HttpClient, quota: SourceQuota | undefined): () => Promise<void> {
  let read: Promise<void> | undefined;
  const ask = async (): Promise<void> => {
    const { body } = await client.json({ method: 'POST', path: '/account/settings', body: { form: {} } });
    const cap = isObject(body) ? body['max-calls-per-second'] : undefined;
    if (cap !== undefined) quota?.cap(readSafeInteger(cap, 'max-calls-per-second'));
  };
  return async () => {
    if (quota === undefined) return;
    read ??= ask().catch(() => {
      read = undefined;
    });
    await read;
  };
}
