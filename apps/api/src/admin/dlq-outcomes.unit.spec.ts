import { randomUUID } from 'node:crypto';
import { LedgerflowError } from '@ledgerflow/cdc-core';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors';
import { redriveResponse, skipRefusal } from './dlq-outcomes';

const accountId = randomUUID();
const eventId = randomUUID();

describe('redriveResponse', () => {
  it('answers 200 with what applied when the account is unparked', () => {
    expect(redriveResponse({ outcome: 'unparked', accountId, applied: 3, version: 4 })).toEqual({ status: 200, body: { unparked: true, accountId, applied: 3, version: 4 } });
  });

  it('answers 409 ACCOUNT_STILL_PARKED with the new failure when it stopped again', () => {
    const { status, body } = redriveResponse({
      outcome: 'parked',
      accountId,
      applied: 1,
      version: 2,
      code: 'EVENT_DATA_INVALID',
      message: 'amount must be > 0',
      failedEventId: eventId,
      failedVersion: 3,
      held: 2,
      attempts: 4,
    });
    expect(status).toBe(409);
    expect(body).toEqual({
      error: { code: 'ACCOUNT_STILL_PARKED', message: expect.stringContaining(`event ${eventId} (version 3)`) },
      unparked: false,
      accountId,
      applied: 1,
      version: 2,
      attempts: 4,
      held: 2,
      failure: { eventId, version: 3, code: 'EVENT_DATA_INVALID', message: 'amount must be > 0' },
    });
  });
});

describe('skipRefusal', () => {
  const refusedBySinks = new LedgerflowError('SKIP_REFUSED', 'sinks says why');
  const facts = (version: number, projectedVersion: number) => ({ accountId, version, projectedVersion });
  const answer = (error: unknown, f?: ReturnType<typeof facts>) => {
    const mapped = skipRefusal(error, f);
    if (!(mapped instanceof ApiError)) throw new Error(`expected an ApiError, got ${String(mapped)}`);
    return [mapped.status, mapped.code, mapped.reason, mapped.message];
  };

  it('tells the causes of SKIP_REFUSED apart from the facts, keeping the message of sinks', () => {
    expect(answer(refusedBySinks, undefined)).toEqual([404, 'EVENT_NOT_FOUND', undefined, 'sinks says why']);
    expect(answer(refusedBySinks, facts(2, 2))).toEqual([422, 'SKIP_REFUSED', 'ALREADY_APPLIED', 'sinks says why']);
    expect(answer(refusedBySinks, facts(1, 1))).toEqual([422, 'SKIP_REFUSED', 'ALREADY_APPLIED', 'sinks says why']);
    expect(answer(refusedBySinks, facts(1, 0))).toEqual([422, 'SKIP_REFUSED', 'OPENS_ACCOUNT', 'sinks says why']);
    // Facts that explain nothing (the state moved meanwhile): still a refusal, without a reason.
    expect(answer(refusedBySinks, facts(3, 1))).toEqual([422, 'SKIP_REFUSED', undefined, 'sinks says why']);
  });

  it('makes ACCOUNT_NOT_PARKED a skip refusal and leaves other errors to the error handler', () => {
    expect(answer(new LedgerflowError('ACCOUNT_NOT_PARKED', 'not parked'))).toEqual([422, 'SKIP_REFUSED', 'ACCOUNT_NOT_PARKED', 'not parked']);
    const other = new Error('connection lost');
    expect(skipRefusal(other, undefined)).toBe(other);
  });
});
