import { describe, expect, it } from 'vitest';
import { ERROR_CODES, LedgerflowError, isLedgerflowError, poison } from './errors';

describe('LedgerflowError', () => {
  it('carries a code, is not retryable by default and freezes its details', () => {
    const error = new LedgerflowError('STALE_WRITE', 'refused', { details: { rows: 2 } });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('LedgerflowError');
    expect(error.code).toBe('STALE_WRITE');
    expect(error.retryable).toBe(false);
    expect(error.details).toEqual({ rows: 2 });
    expect(Object.isFrozen(error.details)).toBe(true);
    expect(new LedgerflowError('TRANSIENT_FAILURE', 'x', { retryable: true }).retryable).toBe(true);
  });

  it('keeps the cause', () => {
    const cause = new Error('root');
    expect(new LedgerflowError('CDC_DECODE_FAILED', 'x', { cause }).cause).toBe(cause);
    expect('cause' in new LedgerflowError('CDC_DECODE_FAILED', 'x')).toBe(false);
  });
});

describe('isLedgerflowError', () => {
  const error = new LedgerflowError('EVENT_DATA_INVALID', 'bad');

  it('matches any code, or the given one only', () => {
    expect(isLedgerflowError(error)).toBe(true);
    expect(isLedgerflowError(error, 'EVENT_DATA_INVALID')).toBe(true);
    expect(isLedgerflowError(error, 'EVENT_TYPE_UNKNOWN')).toBe(false);
  });

  it('recognises a copy from a duplicated package by name and code', () => {
    class ForeignLedgerflowError extends Error {
      readonly code = 'STALE_WRITE';
      override readonly name = 'LedgerflowError';
    }
    expect(isLedgerflowError(new ForeignLedgerflowError('x'), 'STALE_WRITE')).toBe(true);
  });

  it('rejects other errors and look-alike objects', () => {
    expect(isLedgerflowError(new Error('x'))).toBe(false);
    expect(isLedgerflowError(Object.assign(new Error('x'), { code: 'STALE_WRITE' }))).toBe(false);
    expect(isLedgerflowError(Object.assign(new Error('x'), { name: 'LedgerflowError' }))).toBe(false);
    expect(isLedgerflowError({ name: 'LedgerflowError', code: 'STALE_WRITE', message: 'x' })).toBe(false);
    expect(isLedgerflowError(undefined)).toBe(false);
    expect(isLedgerflowError('STALE_WRITE')).toBe(false);
  });
});

describe('poison', () => {
  it('builds a non-retryable error with details and cause', () => {
    const cause = new SyntaxError('json');
    const error = poison('EVENT_DATA_INVALID', 'bad data', { eventId: 'e1' }, cause);
    expect(isLedgerflowError(error, 'EVENT_DATA_INVALID')).toBe(true);
    expect(error.retryable).toBe(false);
    expect(error.details).toEqual({ eventId: 'e1' });
    expect(error.cause).toBe(cause);
  });
});

describe('ERROR_CODES', () => {
  it('is append-only: published codes keep their place (operators alert on them)', () => {
    expect(ERROR_CODES.slice(0, 11)).toEqual([
      'MONEY_INVALID',
      'CDC_DECODE_FAILED',
      'EVENT_DATA_INVALID',
      'EVENT_TYPE_UNKNOWN',
      'EVENT_RULE_VIOLATION',
      'EVENT_VERSION_GAP',
      'JOB_PAYLOAD_INVALID',
      'CONCURRENCY_CONFLICT',
      'STALE_WRITE',
      'TRANSIENT_FAILURE',
      'CONFIG_INVALID',
    ]);
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
  });
});
