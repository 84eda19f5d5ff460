/**
 * Exact money. An amount is an integer count of minor units plus a scale (the number of decimal
 * places), so 12.34 USD is `{ minorUnits: 1234n, scale: 2, asset: 'USD' }`. Nothing here touches a
 * JavaScript `number` for an amount: vendor text goes straight to `bigint` and back to text.
 */
export interface Money {
  /** Exact integer amount in the asset's smallest unit. */
  readonly minorUnits: bigint;
  /** Decimal places between minor units and asset units (USD 2, BTC 8, JPY 0). */
  readonly scale: number;
  /** The asset code as the gateway shows it (`USD`, `BTC`, `EUR`). */
  readonly asset: string;
  /** The amount in asset units as decimal text (`"12.34"`): `formatDecimal(minorUnits, scale)`. */
  readonly amount: string;
}

/** The largest scale accepted anywhere (Formance allows `/6`, Ethereum needs 18; 36 leaves room). */
export const MAX_SCALE = 36;

const INTEGER = /^-?\d+$/;
const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

export class MoneyFormatError extends Error {
  override name = 'MoneyFormatError';
}

function checkScale(scale: number): void {
  if (!Number.isInteger(scale) || scale < 0 || scale > MAX_SCALE) {
    throw new MoneyFormatError(`scale must be an integer from 0 to ${MAX_SCALE}, got ${scale}`);
  }
}

/** Parses an integer written in decimal digits (`"-1234"`) into a bigint, rejecting anything else. */
export function parseInteger(text: string): bigint {
  if (!INTEGER.test(text)) throw new MoneyFormatError(`not an integer: ${JSON.stringify(text.slice(0, 40))}`);
  return BigInt(text);
}

/**
 * Parses a decimal string in asset units (`"10.5"`, `"-0.07"`, `"1000"`) into minor units at `scale`.
 * Digits beyond the scale are accepted only when they are zeros: `"1.230"` at scale 2 is 123, while
 * `"1.235"` at scale 2 throws, because rounding money silently is never right.
 */
export function parseDecimal(text: string, scale: number): bigint {
  checkScale(scale);
  const match = DECIMAL.exec(text);
  if (!match) throw new MoneyFormatError(`not a decimal: ${JSON.stringify(text.slice(0, 40))}`);
  const [, sign = '', whole = '', fraction = ''] = match;
  const kept = fraction.slice(0, scale);
  if (/[^0]/.test(fraction.slice(scale))) {
    throw new MoneyFormatError(`${text} has more than ${scale} decimal places`);
  }
  const digits = whole + kept.padEnd(scale, '0');
  const value = BigInt(digits);
  return sign === '-' ? -value : value;
}

/** Formats minor units as a decimal string in asset units: `(1234n, 2)` is `"12.34"`, `(-5n, 2)` is `"-0.05"`. */
export function formatDecimal(minorUnits: bigint, scale: number): string {
  checkScale(scale);
  const negative = minorUnits < 0n;
  const digits = (negative ? -minorUnits : minorUnits).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale);
  return `${negative ? '-' : ''}${whole}${scale > 0 ? `.${fraction}` : ''}`;
}

/**
 * A Money value whose decimal text is written on its first read and kept: a vendor answer's models
 * are shared by every request that joined its call, so each amount is formatted once, and only if
 * some request selects it. GraphQL reads `amount` as a plain property (no resolver of ours), which
 * compiled execution inlines.
 */
class ExactMoney implements Money {
  readonly minorUnits: bigint;
  readonly scale: number;
  readonly asset: string;
  #amount: string | undefined;

  constructor(minorUnits: bigint, scale: number, asset: string) {
    this.minorUnits = minorUnits;
    this.scale = scale;
    this.asset = asset;
  }

  get amount(): string {
    this.#amount ??= formatDecimal(this.minorUnits, this.scale);
    return this.#amount;
  }
}

/** Builds a Money value, checking the scale. */
export function money(minorUnits: bigint, scale: number, asset: string): Money {
  checkScale(scale);
  return new ExactMoney(minorUnits, scale, asset);
}

/** The number of decimal places a decimal string carries (`"10.50"` is 2, `"7"` is 0). */
export function decimalPlaces(text: string): number {
  const match = DECIMAL.exec(text);
  if (!match) throw new MoneyFormatError(`not a decimal: ${JSON.stringify(text.slice(0, 40))}`);
  return match[3]?.length ?? 0;
}
