import { LedgerflowError } from './errors';

/** Minor units (cents) as a bigint: money never passes through a JS number. */
export type Minor = bigint;

/** numeric(20,2) holds at most 18 integer digits: 999999999999999999.99, i.e. 10^20 - 1 minor units. */
export const MAX_MONEY_MINOR: Minor = 10n ** 20n - 1n;

const MONEY_PATTERN = /^(-?)(0|[1-9][0-9]{0,17})\.([0-9]{2})$/;

/**
 * Parses a decimal string with exactly two fraction digits (`"1250.00"`, `"-0.10"`) into minor
 * units. Anything else — numbers, exponents, one or three fraction digits, more than 18 integer
 * digits, a leading zero or `"-0.00"` — is rejected with `MONEY_INVALID`, so a fractional cent
 * can never be rounded away and every amount has exactly one spelling (`formatMoney`'s).
 */
export function parseMoney(text: unknown, field = 'amount'): Minor {
  if (typeof text !== 'string') {
    throw new LedgerflowError('MONEY_INVALID', `${field} must be a decimal string such as "12.50"`, { details: { field } });
  }
  const match = MONEY_PATTERN.exec(text);
  if (!match) {
    throw new LedgerflowError('MONEY_INVALID', `${field} must have up to 18 integer digits and exactly 2 fraction digits, got ${JSON.stringify(text.slice(0, 40))}`, {
      details: { field },
    });
  }
  const [, sign, whole, fraction] = match;
  const value = BigInt(whole!) * 100n + BigInt(fraction!);
  if (sign === '-' && value === 0n) {
    throw new LedgerflowError('MONEY_INVALID', `${field} must not be negative zero`, { details: { field } });
  }
  return sign === '-' ? -value : value;
}

/** Formats minor units as the canonical decimal string (`1234n` → `"12.34"`). */
export function formatMoney(minor: Minor): string {
  const negative = minor < 0n;
  const abs = negative ? -minor : minor;
  const whole = abs / 100n;
  const fraction = (abs % 100n).toString().padStart(2, '0');
  return `${negative ? '-' : ''}${whole}.${fraction}`;
}

/**
 * Normalises what PostgreSQL returns for numeric(20,2) (`"12.5"` in some paths, `"12.50"` in
 * others) into minor units; scale beyond 2 digits is an error, not a rounding.
 */
export function parseNumeric(text: string, field = 'numeric'): Minor {
  const match = /^(-?)([0-9]+)(?:\.([0-9]{1,2}))?$/.exec(text);
  if (!match) throw new LedgerflowError('MONEY_INVALID', `${field}: not a numeric(20,2) value: ${JSON.stringify(text)}`, { details: { field } });
  const [, sign, whole, fraction = ''] = match;
  const value = BigInt(whole!) * 100n + BigInt(fraction.padEnd(2, '0'));
  return sign === '-' ? -value : value;
}
