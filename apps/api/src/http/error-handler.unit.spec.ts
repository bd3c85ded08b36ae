import { LedgerflowError } from '@ledgerflow/cdc-core';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors';
import { toApiError } from './error-handler';

const pgError = (code: string) => Object.assign(new Error(`pg ${code}`), { code });

describe('toApiError', () => {
  it('keeps ApiErrors and their body shape', () => {
    const error = new ApiError('INSUFFICIENT_FUNDS', 'not enough', { field: 'amount' });
    expect(toApiError(error)).toBe(error);
    expect(error.toBody()).toEqual({ error: { code: 'INSUFFICIENT_FUNDS', message: 'not enough', field: 'amount' } });
  });

  it.each([
    ['40P01', 'CONCURRENCY_CONFLICT', 409],
    ['40001', 'CONCURRENCY_CONFLICT', 409],
    ['57P01', 'SERVICE_UNAVAILABLE', 503],
    ['ECONNREFUSED', 'SERVICE_UNAVAILABLE', 503],
  ])('maps SQLSTATE %s to a retryable %s', (code, apiCode, status) => {
    const mapped = toApiError(pgError(code));
    expect([mapped.code, mapped.status, mapped.toBody().error.retryable]).toEqual([apiCode, status, true]);
  });

  it('maps MONEY_INVALID to VALIDATION_FAILED on its field', () => {
    const mapped = toApiError(new LedgerflowError('MONEY_INVALID', 'bad', { details: { field: 'initialBalance' } }));
    expect([mapped.code, mapped.field]).toEqual(['VALIDATION_FAILED', 'initialBalance']);
  });

  it.each([
    ['ACCOUNT_NOT_PARKED', 'ACCOUNT_NOT_PARKED', 404, false],
    ['SKIP_REFUSED', 'SKIP_REFUSED', 422, false],
    ['STALE_WRITE', 'CONCURRENCY_CONFLICT', 409, true],
  ] as const)('maps the dead-letter store\'s %s to %s (%i)', (code, apiCode, status, retryable) => {
    const mapped = toApiError(new LedgerflowError(code, 'why', { retryable }));
    expect([mapped.code, mapped.status, mapped.retryable]).toEqual([apiCode, status, retryable]);
    if (code !== 'STALE_WRITE') expect(mapped.message).toBe('why');
  });

  it('hides unexpected errors behind a generic 500', () => {
    const mapped = toApiError(new TypeError('secret detail'));
    expect(mapped.toBody()).toEqual({ error: { code: 'INTERNAL_ERROR', message: 'internal error' } });
    expect(mapped.status).toBe(500);
  });
});
