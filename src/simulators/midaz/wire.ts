import { formatDecimal, parseDecimal } from '../../money.ts';
import {
  currentOf,
  type MidazSeedAccount,
  type MidazSeedBalance,
  type MidazSeedLedger,
  type MidazSeedOrganization,
} from './data.ts';
import { MIDAZ_ASSET_SCALES } from './seed.ts';

/**
 * How the Midaz v3.8.0 server writes JSON: Go structs in field order (pkg/mmodel), times in
 * RFC 3339 with trailing fractional zeros trimmed, and amounts as shopspring `decimal.Decimal`
 * strings, whose `String()` drops trailing zeros (`"1000"`, `"10000.5"`), never a JSON number.
 */

export interface Reply {
  readonly status: number;
  readonly json?: unknown;
  /** A plain-text body (Fiber's "Cannot GET /x" for an unknown route). */
  readonly text?: string;
}

export const ok = (json: unknown): Reply => ({ status: 200, json });

/** `EntityNotFoundError`, `UnauthorizedError`: written through `fiber.Map`, so keys come out sorted. */
export const fiberError = (status: number, code: string, title: string, message: string): Reply => ({
  status,
  json: { code, message, title },
});
/** `ValidationError` → `ValidationKnownFieldsError` struct: title, message, code. */
export const validationError = (code: string, title: string, message: string): Reply => ({
  status: 400,
  json: { title, message, code },
});

export const entityNotFound = (): Reply =>
  fiberError(
    404,
    '0007',
    'Entity Not Found',
    'No entity was found for the given ID. Please make sure to use the correct ID for the entity you are trying to manage.',
  );
export const invalidQueryParameter = (name: string): Reply =>
  validationError(
    '0082',
    'Invalid Query Parameter',
    `One or more query parameters are in an incorrect format. Please check the following parameters '${name}' and ensure they meet the required format before trying again.`,
  );

/** A Go time as encoding/json writes it (RFC 3339, fraction trimmed), from epoch microseconds. */
export function goTime(micros: number): string {
  const seconds = Math.floor(micros / 1_000_000);
  const fraction = String(micros - seconds * 1_000_000)
    .padStart(6, '0')
    .replace(/0+$/, '');
  return `${new Date(seconds * 1000).toISOString().slice(0, 19)}${fraction ? `.${fraction}` : ''}Z`;
}

/** shopspring `Decimal.String()`: the exact value without trailing zeros. */
export function decimalText(minorUnits: bigint, asset: string): string {
  const text = formatDecimal(minorUnits, MIDAZ_ASSET_SCALES[asset] ?? 0);
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

const status = { code: 'ACTIVE', description: null };

export function organizationJson(organization: MidazSeedOrganization): Record<string, unknown> {
  const at = goTime(organization.createdAtMicros);
  return {
    id: organization.id,
    parentOrganizationId: null,
    legalName: organization.legalName,
    doingBusinessAs: organization.doingBusinessAs,
    legalDocument: organization.legalDocument,
    address: {
      line1: 'Avenida Paulista, 1000',
      line2: null,
      zipCode: '01310-100',
      city: organization.city,
      state: 'SP',
      country: 'BR',
    },
    status,
    createdAt: at,
    updatedAt: at,
    deletedAt: null,
  };
}

export function ledgerJson(ledger: MidazSeedLedger): Record<string, unknown> {
  const at = goTime(ledger.createdAtMicros);
  return {
    id: ledger.id,
    name: ledger.name,
    organizationId: ledger.organizationId,
    status,
    createdAt: at,
    updatedAt: at,
    deletedAt: null,
    metadata: ledger.metadata ?? undefined,
  };
}

/** An account; `withMetadata` is false on the by-alias read, which looks metadata up by alias, not id (query/get_alias_account.go). */
export function accountJson(account: MidazSeedAccount, withMetadata = true): Record<string, unknown> {
  const at = goTime(account.createdAtMicros);
  const metadata = withMetadata || account.alias === account.id ? account.metadata : null;
  return {
    id: account.id,
    name: account.name,
    parentAccountId: null,
    entityId: null,
    assetCode: account.assetCode,
    organizationId: account.organizationId,
    ledgerId: account.ledgerId,
    portfolioId: null,
    segmentId: null,
    status,
    alias: account.alias,
    type: account.type,
    blocked: false,
    createdAt: at,
    updatedAt: at,
    deletedAt: null,
    metadata: metadata ?? undefined,
  };
}

/** mmodel `computePosition`: net available, holds, and the remaining overdraft headroom ("0" without overdraft, absent when unlimited). */
function positionJson(
  balance: MidazSeedBalance,
  available: bigint,
  onHold: bigint,
  overdraftUsed: bigint,
  withSettings: boolean,
): Record<string, unknown> {
  const settings = withSettings ? balance.settings : null;
  let headroom: string | undefined = '0';
  if (settings?.allowOverdraft) {
    headroom = settings.overdraftLimitEnabled
      ? decimalText(
          parseDecimal(settings.overdraftLimit ?? '0', MIDAZ_ASSET_SCALES[balance.assetCode] ?? 0) - overdraftUsed,
          balance.assetCode,
        )
      : undefined;
  }
  return {
    available: decimalText(available - overdraftUsed, balance.assetCode),
    onHold: decimalText(onHold, balance.assetCode),
    overdraftLimitAvailable: headroom,
  };
}

const settingsJson = (settings: MidazSeedBalance['settings']) =>
  settings
    ? {
        balanceScope: settings.balanceScope,
        allowOverdraft: settings.allowOverdraft,
        overdraftLimitEnabled: settings.overdraftLimitEnabled,
        overdraftLimit: settings.overdraftLimit,
      }
    : undefined;

/** A current `mmodel.Balance`, with the `position` block every v3.8 balance ends with. */
export function balanceJson(balance: MidazSeedBalance): Record<string, unknown> {
  const current = currentOf(balance);
  const text = (amount: bigint) => decimalText(amount, balance.assetCode);
  return {
    id: balance.id,
    organizationId: balance.organizationId,
    ledgerId: balance.ledgerId,
    accountId: balance.accountId,
    alias: balance.alias,
    key: balance.key,
    assetCode: balance.assetCode,
    available: text(current.available),
    onHold: text(current.onHold),
    version: current.version,
    accountType: balance.accountType,
    allowSending: true,
    allowReceiving: true,
    direction: balance.direction,
    overdraftUsed: text(balance.overdraftUsed),
    settings: settingsJson(balance.settings),
    createdAt: goTime(balance.createdAtMicros),
    updatedAt: goTime(current.updatedAtMicros),
    deletedAt: null,
    position: positionJson(balance, current.available, current.onHold, balance.overdraftUsed, true),
  };
}

/**
 * A `BalanceHistory` snapshot as the v3.8.0 history queries build it: available, on hold and
 * version from the last operation at or before the date (zeros before any), and neither
 * direction, settings nor overdraftUsed, which those queries do not select ("0", omitted, omitted).
 */
export function historyJson(
  balance: MidazSeedBalance,
  snapshot: { available: bigint; onHold: bigint; version: number; updatedAtMicros: number },
): Record<string, unknown> {
  const text = (amount: bigint) => decimalText(amount, balance.assetCode);
  return {
    id: balance.id,
    organizationId: balance.organizationId,
    ledgerId: balance.ledgerId,
    accountId: balance.accountId,
    alias: balance.alias,
    key: balance.key,
    assetCode: balance.assetCode,
    available: text(snapshot.available),
    onHold: text(snapshot.onHold),
    version: snapshot.version,
    accountType: balance.accountType,
    overdraftUsed: '0',
    createdAt: goTime(balance.createdAtMicros),
    updatedAt: goTime(snapshot.updatedAtMicros),
    position: positionJson(balance, snapshot.available, snapshot.onHold, 0n, false),
  };
}

/** Serialises like encoding/json: undefined fields are left out (omitempty), and nothing else is touched. */
export function writeJson(value: unknown): string {
  return JSON.stringify(value);
}
