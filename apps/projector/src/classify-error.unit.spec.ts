import { LedgerflowError, poison } from '@ledgerflow/cdc-core';
import { describe, expect, it } from 'vitest';
import { isRetryableError } from './classify-error';

const pgError = (code: string, message = 'pg error') => Object.assign(new Error(message), { code });

describe('isRetryableError', () => {
  it.each([
    ['STALE_WRITE', new LedgerflowError('STALE_WRITE', 'guard refused', { retryable: true })],
    ['serialization failure', pgError('40001')],
    ['deadlock', pgError('40P01')],
    ['connection exception class 08', pgError('08006')],
    ['admin shutdown', pgError('57P01')],
    ['refused socket', pgError('ECONNREFUSED')],
    ['pg connection drop (no code)', new Error('Connection terminated unexpectedly')],
    ['pool timeout', new Error('timeout exceeded when trying to connect')],
    ['pg client already closed (partition dropped)', new Error('Client was closed and is not queryable')],
    ['wrapped cause', new Error('outer', { cause: pgError('40P01') })],
  ])('retries %s', (_name, error) => {
    expect(isRetryableError(error)).toBe(true);
  });

  it.each([
    ['poison', poison('EVENT_RULE_VIOLATION', 'overdraft')],
    ['bad payload', new LedgerflowError('JOB_PAYLOAD_INVALID', 'nope')],
    ['syntax error in SQL', pgError('42601')],
    ['check violation', pgError('23514')],
    ['a bug', new TypeError('x is undefined')],
    ['not an error', 'boom'],
  ])('does not retry %s', (_name, error) => {
    expect(isRetryableError(error)).toBe(false);
  });
});
