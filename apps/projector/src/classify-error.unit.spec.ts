import { LedgerflowError, poison } from '@ledgerflow/cdc-core';
import { describe, expect, it } from 'vitest';
import { isConnectionError, isRetryableError } from './classify-error';

const pgError = (code: string, message = 'pg error') => Object.assign(new Error(message), { code });

describe('isRetryableError', () => {
  it.each([
    ['STALE_WRITE', new LedgerflowError('STALE_WRITE', 'guard refused', { retryable: true })],
    ['serialization failure', pgError('40001')],
    ['deadlock', pgError('40P01')],
    ['statement timeout (batch or commit time limit)', pgError('57014', 'canceling statement due to statement timeout')],
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

describe('isConnectionError', () => {
  it.each([
    ['connection exception class 08', pgError('08006')],
    ['admin shutdown', pgError('57P01')],
    ['server starting up', pgError('57P03')],
    ['too many connections', pgError('53300')],
    ['refused socket', pgError('ECONNREFUSED')],
    ['pg connection drop (no code)', new Error('Connection terminated unexpectedly')],
    ['wrapped in a retryable LedgerflowError', new LedgerflowError('TRANSIENT_FAILURE', 'wrapped', { retryable: true, cause: pgError('ECONNRESET') })],
  ])('counts %s', (_name, error) => {
    expect(isConnectionError(error)).toBe(true);
  });

  it.each([
    ['statement timeout: the server is up', pgError('57014')],
    ['serialization failure', pgError('40001')],
    ['STALE_WRITE', new LedgerflowError('STALE_WRITE', 'guard refused', { retryable: true })],
    ['partition dropped (lock connection closed on purpose)', new LedgerflowError('TRANSIENT_FAILURE', 'the partition lock connection is closed', { retryable: true })],
    ['not an error', 'boom'],
  ])('does not count %s', (_name, error) => {
    expect(isConnectionError(error)).toBe(false);
  });
});
