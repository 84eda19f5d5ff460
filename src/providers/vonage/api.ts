import { HttpClient } from '../http/index.ts';
import { isObject, parseLosslessJson } from '../json.ts';
import type { SourceTransport } from '../http/index.ts';
import { mapVonagePrimary, mapVonageSubaccounts, type VonageAccount } from './map.ts';
import { createPublishedCap } from './published-cap.ts';

export interface VonageApiOptions {
  readonly source: string;
  /** The Account API base URL (`https://rest.nexmo.com`). */
  readonly url: string;
  /** The Subaccounts API base URL; the Account API's when absent. */
  readonly subaccountsUrl: string | undefined;
  readonly apiKey: string;
  readonly apiSecret: string;
  readonly timeoutMs: number;
  readonly transport: SourceTransport | undefined;
}

/** What a top-up answered: the status, and the `error-code-label` of a refusal (null for any other body). */
export interface VonageTopUpReply {
  readonly status: number;
  readonly label: string | null;
}

/** The Account API and the Subaccounts API of one Vonage account, each call sent with HTTP Basic. */
export interface VonageApi {
  /** `GET /account/get-balance`: the primary account. */
  readPrimary(): Promise<VonageAccount>;
  /** `GET /accounts/{api_key}/subaccounts`: every subaccount with its balance, in one call; none without the feature (404). */
  readSubaccounts(): Promise<VonageAccount[]>;
  /** `POST /account/top-up`; a 401 comes back for its label to tell the two refusals apart. */
  topUp(trx: string): Promise<VonageTopUpReply>;
  decode<T>(map: () => T): T;
  close(): Promise<void>;
}

export function createVonageApi(options: VonageApiOptions): VonageApi {
  // HTTP Basic, as the official Node SDK sends it: the secret never goes into a URL.
  const basic = `Basic ${Buffer.from(`${options.apiKey}:${options.apiSecret}`).toString('base64')}`;
  const authorize = () => ({ authorization: basic });
  const client = (baseUrl: string) =>
    new HttpClient({
      source: options.source,
      baseUrl,
      timeoutMs: options.timeoutMs,
      transport: options.transport,
      // The key in the subaccounts path is a credential: only the template may be a label.
      routes: ['/account/get-balance', '/account/top-up', '/accounts/{api_key}/subaccounts'],
      authorize,
    });
  const account = client(options.url);
  const sameHost = !options.subaccountsUrl || options.subaccountsUrl === options.url;
  const subaccounts = sameHost ? account : client(options.subaccountsUrl as string);
  const capped = createPublishedCap(account, options.transport?.quota);

  return {
    async readPrimary() {
      await capped();
      const { body } = await account.json({ method: 'GET', path: '/account/get-balance' });
      return account.decode(() => mapVonagePrimary(options.apiKey, body));
    },
    async readSubaccounts() {
      await capped();
      const { status, body } = await subaccounts.json({
        method: 'GET',
        // The options refuse a key that would be a dot segment (path-segment.ts).
        path: `/accounts/${encodeURIComponent(options.apiKey)}/subaccounts`,
        accept: [404],
      });
      return status === 404 ? [] : subaccounts.decode(() => mapVonageSubaccounts(body));
    },
    async topUp(trx) {
      await capped();
      // A mutation: HttpClient never retries a POST, so a failed top-up is sent exactly once.
      const response = await account.send({
        method: 'POST',
        path: '/account/top-up',
        cache: 'invalidate',
        body: { form: { trx } },
        accept: [401],
      });
      return { status: response.status, label: readLabel(response.text) };
    },
    decode: (map) => account.decode(map),
    close: async () => {
      await Promise.all([account.close(), sameHost ? undefined : subaccounts.close()]);
    },
  };
}

/** `{"error-code":"401","error-code-label":"…"}` → the label, or null for any other body. */
function readLabel(text: string): string | null {
  try {
    const body = parseLosslessJson(text);
    return isObject(body) && typeof body['error-code-label'] === 'string' ? body['error-code-label'] : null;
  } catch {
    return null;
  }
}
