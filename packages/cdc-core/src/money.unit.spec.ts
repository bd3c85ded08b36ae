import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isLedgerflowError } from './errors';
import { MAX_MONEY_MINOR, formatMoney, parseMoney, parseNumeric } from './money';

function moneyError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a MONEY_INVALID error, nothing was thrown');
}

describe('parseMoney / formatMoney', () => {
  it('adds exactly in minor units where floats do not', () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(parseMoney('0.10') + parseMoney('0.20')).toBe(30n);
    expect(formatMoney(parseMoney('0.10') + parseMoney('0.20'))).toBe('0.30');
  });

  it('parses to minor units and formats canonically', () => {
    expect(parseMoney('12.50')).toBe(1250n);
    expect(parseMoney('0.00')).toBe(0n);
    expect(parseMoney('0.01')).toBe(1n);
    expect(formatMoney(1234n)).toBe('12.34');
    expect(formatMoney(5n)).toBe('0.05');
    expect(formatMoney(0n)).toBe('0.00');
    expect(formatMoney(100n)).toBe('1.00');
  });

  it('round-trips large values beyond 2^53 and the 18-digit maximum', () => {
    expect(parseMoney('99999999999999.99')).toBe(9_999_999_999_999_999n);
    expect(formatMoney(parseMoney('99999999999999.99'))).toBe('99999999999999.99');
    expect(parseMoney('999999999999999999.99')).toBe(MAX_MONEY_MINOR);
    expect(formatMoney(MAX_MONEY_MINOR)).toBe('999999999999999999.99');
    expect(parseMoney('-999999999999999999.99')).toBe(-MAX_MONEY_MINOR);
    // One minor unit more no longer fits numeric(20,2).
    expect(isLedgerflowError(moneyError(() => parseMoney(formatMoney(MAX_MONEY_MINOR + 1n))), 'MONEY_INVALID')).toBe(true);
  });

  it('handles negative amounts', () => {
    expect(parseMoney('-0.10')).toBe(-10n);
    expect(parseMoney('-12.34')).toBe(-1234n);
    expect(formatMoney(-10n)).toBe('-0.10');
    expect(formatMoney(-1n)).toBe('-0.01');
    expect(formatMoney(-123456n)).toBe('-1234.56');
  });

  it.each([
    ['one fraction digit', '0.1'],
    ['three fraction digits (a fractional cent)', '1.005'],
    ['an exponent', '1e3'],
    ['leading space', ' 1.00'],
    ['trailing space', '1.00 '],
    ['a leading zero', '01.00'],
    ['no fraction', '1'],
    ['a bare point', '.50'],
    ['a plus sign', '+1.00'],
    ['a comma', '1,00'],
    ['a double minus', '--1.00'],
    ['negative zero (not canonical)', '-0.00'],
    ['19 integer digits', '1000000000000000000.00'],
    ['19 negative integer digits', '-1000000000000000000.00'],
    ['the empty string', ''],
    ['non-ASCII digits', '١.٠٠'],
  ])('rejects %s', (_what, text) => {
    const error = moneyError(() => parseMoney(text, 'amount'));
    expect(isLedgerflowError(error, 'MONEY_INVALID')).toBe(true);
    expect((error as { details: unknown }).details).toEqual({ field: 'amount' });
  });

  it.each([
    ['a number', 0.1],
    ['an integer number', 100],
    ['null', null],
    ['undefined', undefined],
    ['a bigint', 100n],
    ['an object', { amount: '1.00' }],
  ])('rejects %s (money never arrives as a JS number)', (_what, value) => {
    expect(isLedgerflowError(moneyError(() => parseMoney(value)), 'MONEY_INVALID')).toBe(true);
  });

  it('names the field in the error', () => {
    const error = moneyError(() => parseMoney('1.5', 'initialBalance'));
    expect((error as Error).message).toContain('initialBalance');
    expect((error as { retryable: boolean }).retryable).toBe(false);
  });

  const wholeArb = fc.oneof(fc.constant('0'), fc.stringMatching(/^[1-9][0-9]{0,17}$/));
  const validMoneyArb = fc
    .tuple(fc.boolean(), wholeArb, fc.stringMatching(/^[0-9]{2}$/))
    .map(([negative, whole, fraction]) => `${negative ? '-' : ''}${whole}.${fraction}`)
    .filter((s) => s !== '-0.00');

  it('property: formatMoney(parseMoney(s)) === s for every valid string', () => {
    fc.assert(
      fc.property(validMoneyArb, (s) => {
        expect(formatMoney(parseMoney(s))).toBe(s);
      }),
      { numRuns: 2000 },
    );
  });

  it('property: parseMoney(formatMoney(x)) === x for every amount in range', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -MAX_MONEY_MINOR, max: MAX_MONEY_MINOR }), (x) => {
        expect(parseMoney(formatMoney(x))).toBe(x);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('parseNumeric', () => {
  it.each([
    ['12.50', 1250n],
    ['12.5', 1250n],
    ['12', 1200n],
    ['0', 0n],
    ['0.01', 1n],
    ['-3.1', -310n],
    ['-0.05', -5n],
    ['999999999999999999.99', MAX_MONEY_MINOR],
  ])('reads PostgreSQL numeric text %s', (text, minor) => {
    expect(parseNumeric(text)).toBe(minor);
  });

  it.each(['12.505', '1e3', '', ' 1', 'abc', '1.', 'NaN', '1.2.3'])('rejects %j instead of rounding', (text) => {
    expect(isLedgerflowError(moneyError(() => parseNumeric(text, 'balance')), 'MONEY_INVALID')).toBe(true);
  });
});
