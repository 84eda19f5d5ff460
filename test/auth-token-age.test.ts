import { exportSPKI, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.ts';
import { ConfigError } from '../src/errors.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';

/**
 * How long a bearer token may be used: `server.auth.jwt.maxTokenAgeSeconds` bounds its age from `iat`
 * (then required), and whatever the settings no token is taken whose `exp` lies more than 366 days
 * ahead (a token good "until 9999" is a credential that never expires).
 */

const ISSUER = 'https://issuer.test/';
const AUDIENCE = 'balance-gateway';
const DAY = 86_400;
const now = () => Math.floor(Date.now() / 1000);

interface Claims {
  iat?: number;
  exp: number;
}

async function tokenFor(key: CryptoKey, { iat, exp }: Claims): Promise<string> {
  const jwt = new SignJWT({ balance_sources: '*' })
    .setProtectedHeader({ alg: 'ES256' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject('reader')
    .setExpirationTime(exp);
  if (iat !== undefined) jwt.setIssuedAt(iat);
  return jwt.sign(key);
}

async function askWith(url: string, token: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: '{ sources { name } }' }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const refused = (message: string) => ({
  status: 401,
  body: { errors: [{ message, extensions: { code: 'UNAUTHENTICATED' } }] },
});
const accepted = { status: 200, body: { data: { sources: expect.arrayContaining([{ name: 'blnk-demo' }]) } } };

describe('bearer token lifetime', () => {
  let keys: { publicKey: CryptoKey; privateKey: CryptoKey };
  const gateways: TestGateway[] = [];
  const start = async (jwt: Record<string, unknown>) => {
    const t = await startTestGateway({
      server: {
        auth: {
          jwt: { publicKey: await exportSPKI(keys.publicKey), issuer: ISSUER, audience: AUDIENCE, ...jwt },
        },
      },
    });
    gateways.push(t);
    return t.listen();
  };
  beforeAll(async () => {
    keys = await generateKeyPair('ES256');
  });
  afterAll(async () => {
    for (const t of gateways) await t.close();
  });

  it('without maxTokenAgeSeconds: refuses a token whose exp is more than 366 days ahead (the year 9999), takes one of a year', async () => {
    const url = await start({});
    const sign = (claims: Claims) => tokenFor(keys.privateKey, claims);
    expect(await askWith(url, await sign({ exp: 253_402_300_799 }))).toEqual(
      refused(
        'the bearer token expires too far ahead (more than 366 days from now); ask the issuer for a shorter-lived one',
      ),
    );
    expect(await askWith(url, await sign({ exp: now() + 367 * DAY }))).toMatchObject({ status: 401 });
    expect(await askWith(url, await sign({ exp: now() + 365 * DAY }))).toEqual(accepted);
    // No iat needed while maxTokenAgeSeconds is unset.
    expect(await askWith(url, await sign({ exp: now() + 300 }))).toEqual(accepted);
  });

  it('with maxTokenAgeSeconds: needs iat, refuses a token older than the limit whatever its exp, and one issued in the future', async () => {
    const url = await start({ maxTokenAgeSeconds: 600, clockToleranceSeconds: 0 });
    const sign = (claims: Claims) => tokenFor(keys.privateKey, claims);
    expect(await askWith(url, await sign({ exp: now() + 300 }))).toEqual(
      refused('the bearer token has no "iat" claim (the gateway requires exp, sub and iat)'),
    );
    expect(await askWith(url, await sign({ iat: now() - 700, exp: now() + 3600 }))).toEqual(
      refused('the bearer token was issued too long ago (maxTokenAgeSeconds); ask the issuer for a new one'),
    );
    expect(await askWith(url, await sign({ iat: now() + 600, exp: now() + 3600 }))).toEqual(
      refused('the bearer token is not valid for this gateway'),
    );
    expect(await askWith(url, await sign({ iat: now() - 60, exp: now() + 3600 }))).toEqual(accepted);
    // The 366-day cap on exp holds with maxTokenAgeSeconds too.
    expect(await askWith(url, await sign({ iat: now() - 60, exp: 253_402_300_799 }))).toMatchObject({ status: 401 });
  });

  it('reads maxTokenAgeSeconds as whole seconds from 1 to 31622400, naming the field on a bad value', () => {
    const sources = [{ name: 'blnk-a', kind: 'blnk', url: 'http://blnk-a:5001' }];
    const jwt = { jwksUrl: 'https://issuer.example/jwks.json', issuer: ISSUER, audience: AUDIENCE };
    const read = (extra: Record<string, unknown>) =>
      parseConfig({ server: { auth: { jwt: { ...jwt, ...extra } } }, sources });
    expect(read({}).server.auth?.jwt?.maxTokenAgeSeconds).toBeNull();
    expect(read({ maxTokenAgeSeconds: 900 }).server.auth?.jwt?.maxTokenAgeSeconds).toBe(900);
    for (const bad of [0, -5, 1.5, 31_622_401, '15m', 'x']) {
      expect(() => read({ maxTokenAgeSeconds: bad })).toThrow(ConfigError);
      expect(() => read({ maxTokenAgeSeconds: bad })).toThrow(
        /^server\.auth\.jwt\.maxTokenAgeSeconds: must be an integer from 1 to 31622400$/,
      );
    }
  });
});
