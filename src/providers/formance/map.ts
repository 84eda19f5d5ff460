import { SourceError } from '../../errors.ts';
import { MAX_SCALE, MoneyFormatError, money, type Money } from '../../money.ts';
import { isObject, readInteger, readObject, readString, toPlainJson, VendorShapeError } from '../json.ts';
import { requireDistinct } from '../answer-checks.ts';
import type { AccountModel, AccountRef, BalanceModel, JsonMap, LedgerModel } from '../types.ts';
import { readFormanceCursor, type FormanceCursorPage } from './paging.ts';
import { carryFreshness } from '../read-freshness.ts';

/**
 * Formance wire shapes to domain models. Amounts are JSON integers of any size (Go `*big.Int`):
 * always `readInteger`, never a JS number. The scale lives in the asset code: `USD/2` is cents.
 */

/** ledger pkg/assets: `[A-Z][A-Z0-9]{0,16}(_[A-Z]{1,16})?(/\d{1,6})?`. */
const ASSET_CODE = /^([A-Z][A-Z0-9]{0,16}(?:_[A-Z]{1,16})?)(?:\/(\d{1,6}))?$/;

/** `USD/2` → `USD`, scale 2; `COIN` → scale 0. */
export function mapFormanceAsset(code: string): { asset: string; scale: number } {
  const match = ASSET_CODE.exec(code);
  // Messages name fields, never vendor values: they can reach a client.
  if (!match) throw new VendorShapeError('an asset code is not a Formance asset code');
  const scale = Number(match[2] ?? '0');
  // Formance allows up to /999999; Money stops at MAX_SCALE, and rounding is never an option.
  if (scale > MAX_SCALE) throw new VendorShapeError(`an asset has a scale above ${MAX_SCALE}`);
  return { asset: match[1] as string, scale };
}

export function mapFormanceLedger(source: string, name: string): LedgerModel {
  return { source, ledgerId: name, name, createdAt: null, metadata: null };
}

export interface FormanceVolumes {
  readonly input: bigint;
  readonly output: bigint;
}

/** One balance; `volumes` (everything ever received and sent) only when the call returned them. */
export function mapFormanceBalance(
  account: AccountRef,
  code: string,
  balance: bigint,
  volumes: FormanceVolumes | null,
): BalanceModel {
  const { asset, scale } = mapFormanceAsset(code);
  const amount = (minorUnits: bigint): Money => money(minorUnits, scale, asset);
  return {
    source: account.source,
    ledgerId: account.ledgerId,
    accountId: account.accountId,
    balanceId: code,
    asset,
    // Formance has no holds: what is booked can be spent. Negative is normal (`world`).
    available: amount(balance),
    pending: null,
    total: amount(balance),
    credits: volumes ? amount(volumes.input) : null,
    debits: volumes ? amount(volumes.output) : null,
    updatedAt: null,
  };
}

/** `{input, output, balance}`; `balance` is input − output and is computed when absent. */
function readVolumes(value: unknown, what: string): FormanceVolumes & { balance: bigint } {
  const volumes = readObject(value, what);
  const input = readInteger(volumes.input, `${what}.input`);
  const output = readInteger(volumes.output, `${what}.output`);
  const balance = volumes.balance === undefined ? input - output : readInteger(volumes.balance, `${what}.balance`);
  return { input, output, balance };
}

/** An account's `volumes` map (`{"USD/2": {input, output, balance}}`), in the vendor's (sorted) key order. */
export function mapFormanceVolumes(account: AccountRef, value: unknown): BalanceModel[] {
  if (value === undefined || value === null) return []; // omitted when the account has no volumes (Go omitempty)
  // Each balance carries the receive time of the answer its volumes came in.
  return Object.entries(readObject(value, 'volumes')).map(([code, item]) => {
    const volumes = readVolumes(item, 'account.volumes[]');
    return carryFreshness(value, mapFormanceBalance(account, code, volumes.balance, volumes));
  });
}

/**
 * A v1 or v2 account (`{address, metadata, …, volumes?}`). With `expanded`, its balances come along
 * (a missing `volumes` then means none), so a balance lookup after listing costs nothing. Volumes
 * that cannot be read leave `balances` out: the account still answers, and its balances field,
 * read again by the balance lookup, fails on its own (money fields fail one by one).
 */
export function mapFormanceAccount(source: string, ledgerId: string, value: unknown, expanded: boolean): AccountModel {
  const account = readObject(value, 'account');
  const address = readString(account.address, 'account.address');
  const ref = { source, ledgerId, accountId: address };
  const metadata =
    account.metadata === undefined || account.metadata === null
      ? null
      : (toPlainJson(readObject(account.metadata, 'account.metadata')) as JsonMap);
  const model: AccountModel = { ...ref, address, name: null, metadata };
  if (!expanded) return model;
  try {
    return { ...model, balances: mapFormanceVolumes(ref, account.volumes) };
  } catch (error) {
    if (error instanceof VendorShapeError || error instanceof MoneyFormatError) return model;
    throw error;
  }
}

/** The error of the balances of an account read with `expand=volumes` whose volumes mapFormanceAccount could not read. */
export function unreadableVolumes(source: string): SourceError {
  return new SourceError(
    'SOURCE_BAD_RESPONSE',
    `source "${source}" sent a response the gateway cannot read: an account's volumes are not readable amounts`,
    { source, retryable: false },
  );
}

/** A v1 `/balances` item: exactly one key, the address, holding `{asset: balance}`. */
export function mapFormanceBalancesItem(source: string, ledgerId: string, value: unknown): BalanceModel[] {
  const item = readObject(value, 'balances item');
  const entries = Object.entries(item);
  if (entries.length !== 1) throw new VendorShapeError('balances item does not hold exactly one account');
  const [address, assets] = entries[0] as [string, unknown];
  const ref = { source, ledgerId, accountId: address };
  // v1 /balances carries no volumes: credits and debits stay unknown.
  return Object.entries(readObject(assets, 'balances item assets')).map(([code, amount]) =>
    carryFreshness(value, mapFormanceBalance(ref, code, readInteger(amount, 'a balance amount'), null)),
  );
}

/** A v2 `/volumes` row as read: `{account, asset, input, output, balance}`, the asset code left unparsed. */
export function readFormanceVolumesRow(
  value: unknown,
): { address: string; code: string } & FormanceVolumes & { balance: bigint } {
  const row = readObject(value, 'volumes row');
  const address = readString(row.account, 'volumes row.account');
  const code = readString(row.asset, 'volumes row.asset');
  return { address, code, ...readVolumes(row, 'volumes row') };
}

/** A v2 `/volumes` row: `{account, asset, input, output, balance}`. */
export function mapFormanceVolumesRow(source: string, ledgerId: string, value: unknown): BalanceModel {
  const { address, code, ...volumes } = readFormanceVolumesRow(value);
  return carryFreshness(
    value,
    mapFormanceBalance({ source, ledgerId, accountId: address }, code, volumes.balance, volumes),
  );
}

/**
 * A page of a v2 lookup filtered on `asked` addresses (`/accounts` rows, `/volumes` rows, dated or
 * not): a row of an address not asked for (a filter the server ignored) or the same account (or
 * account and asset) twice in the page is a bad response, never a row taken or overwritten.
 */
export function readFormanceLookupPage(body: unknown, path: string, asked: readonly string[]): FormanceCursorPage {
  const page = readFormanceCursor(body);
  const wanted = new Set(asked);
  const volumes = path.endsWith('/volumes');
  const keys = page.data.map((item) => {
    const row = readObject(item, 'lookup row');
    const address = readString(
      volumes ? row.account : row.address,
      volumes ? 'volumes row.account' : 'account.address',
    );
    if (!wanted.has(address)) throw new VendorShapeError("a row's account is not one of those asked for");
    return volumes ? `${address} ${readString(row.asset, 'volumes row.asset')}` : address;
  });
  requireDistinct(keys, (key) => key, volumes ? 'volumes rows' : 'accounts');
  return page;
}

/** `{"data": {"USD/2": 100}}` of the aggregate endpoints. */
export function mapFormanceAggregate(value: unknown): Money[] {
  const data = readObject(readObject(value, 'aggregate response').data, 'aggregate data');
  return Object.entries(data).map(([code, amount]) => {
    const { asset, scale } = mapFormanceAsset(code);
    return money(readInteger(amount, 'an aggregate amount'), scale, asset);
  });
}

/** `features` of `GET /v2/{ledger}`; a ledger older than features has moves history. */
export function mapFormanceMovesHistory(value: unknown): boolean {
  const ledger = readObject(readObject(value, 'ledger response').data, 'ledger');
  if (!isObject(ledger.features)) return true;
  return ledger.features.MOVES_HISTORY === undefined || ledger.features.MOVES_HISTORY === 'ON';
}
