import { describe, expect, it } from 'vitest';
import { isLedgerflowError, type ErrorCode } from './errors';
import { isUuid, ledgerEventData, parseLedgerEvent, type LedgerEvent } from './ledger-events';
import type { StoredEvent } from './stored-event';

const STREAM = '3f2a1b7c-1234-4abc-8def-00000000abcd';
const OTHER = '11111111-2222-4333-8444-555555555555';
const TX = '0b7c2f1e-4c1a-4e8b-9a51-5f6e7d8c9b0a';
const TRANSFER = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';

function stored(type: string, data: unknown, raw?: string): StoredEvent {
  return {
    position: 10n,
    eventId: '99999999-0000-4000-8000-000000000001',
    streamId: STREAM,
    version: 2,
    type,
    data: raw ?? JSON.stringify(data),
    metadata: '{}',
    createdAt: '2024-01-02T03:04:05.123Z',
  };
}

function codeOf(event: StoredEvent): ErrorCode {
  try {
    parseLedgerEvent(event);
  } catch (error) {
    if (!isLedgerflowError(error)) throw error;
    expect(error.retryable).toBe(false);
    return error.code;
  }
  throw new Error('expected parseLedgerEvent to throw');
}

const created = { accountId: STREAM, ownerName: 'Ada Lovelace', initialBalance: '100.00' };
const deposit = { accountId: STREAM, amount: '12.50', transactionId: TX };
const closed = { accountId: STREAM, reason: 'customer request' };

describe('parseLedgerEvent', () => {
  it('reads AccountCreated', () => {
    expect(parseLedgerEvent(stored('AccountCreated', created))).toEqual({ type: 'AccountCreated', accountId: STREAM, ownerName: 'Ada Lovelace', initialBalance: 10_000n });
    expect(parseLedgerEvent(stored('AccountCreated', { ...created, initialBalance: '0.00' }))).toMatchObject({ initialBalance: 0n });
  });

  it('reads MoneyDeposited and MoneyWithdrawn, with and without a transferId', () => {
    expect(parseLedgerEvent(stored('MoneyDeposited', deposit))).toEqual({ type: 'MoneyDeposited', accountId: STREAM, amount: 1250n, transactionId: TX });
    expect(parseLedgerEvent(stored('MoneyWithdrawn', { ...deposit, transferId: TRANSFER }))).toEqual({
      type: 'MoneyWithdrawn',
      accountId: STREAM,
      amount: 1250n,
      transactionId: TX,
      transferId: TRANSFER,
    });
    expect(parseLedgerEvent(stored('MoneyDeposited', { ...deposit, transferId: null }))).not.toHaveProperty('transferId');
  });

  it('reads AccountClosed', () => {
    expect(parseLedgerEvent(stored('AccountClosed', closed))).toEqual({ type: 'AccountClosed', accountId: STREAM, reason: 'customer request' });
  });

  it('lower-cases ids and accepts an upper-case accountId of the same stream', () => {
    const event = parseLedgerEvent(stored('MoneyDeposited', { ...deposit, accountId: STREAM.toUpperCase(), transactionId: TX.toUpperCase() }));
    expect(event).toMatchObject({ accountId: STREAM, transactionId: TX });
  });

  it('round-trips through ledgerEventData', () => {
    const events: LedgerEvent[] = [
      { type: 'AccountCreated', accountId: STREAM, ownerName: 'Ada', initialBalance: 1n },
      { type: 'MoneyDeposited', accountId: STREAM, amount: 99_999_999_999_999_999_999n, transactionId: TX },
      { type: 'MoneyWithdrawn', accountId: STREAM, amount: 5n, transactionId: TX, transferId: TRANSFER },
      { type: 'AccountClosed', accountId: STREAM, reason: 'done' },
    ];
    for (const event of events) {
      const data = ledgerEventData(event);
      expect(Object.values(data).every((v) => typeof v === 'string')).toBe(true);
      expect(parseLedgerEvent(stored(event.type, data))).toEqual(event);
    }
    expect(ledgerEventData(events[1]!)).toEqual({ accountId: STREAM, amount: '999999999999999999.99', transactionId: TX });
  });

  it.each<[string, StoredEvent, ErrorCode]>([
    ['data that is not JSON', stored('MoneyDeposited', null, '{"accountId":'), 'EVENT_DATA_INVALID'],
    ['data that is a JSON array', stored('MoneyDeposited', [deposit]), 'EVENT_DATA_INVALID'],
    ['data that is JSON null', stored('MoneyDeposited', null), 'EVENT_DATA_INVALID'],
    ['data that is a JSON string', stored('MoneyDeposited', JSON.stringify(deposit)), 'EVENT_DATA_INVALID'],
    ['an unknown type', stored('MoneyTeleported', deposit), 'EVENT_TYPE_UNKNOWN'],
    ['an unknown type with broken data', stored('MoneyTeleported', null, 'not json'), 'EVENT_TYPE_UNKNOWN'],
    ['a type in the wrong case', stored('moneydeposited', deposit), 'EVENT_TYPE_UNKNOWN'],
    ['a missing accountId', stored('MoneyDeposited', { ...deposit, accountId: undefined }), 'EVENT_DATA_INVALID'],
    ['an accountId that is not a uuid', stored('MoneyDeposited', { ...deposit, accountId: 'acct-1' }), 'EVENT_DATA_INVALID'],
    ['an accountId that is not the stream', stored('MoneyDeposited', { ...deposit, accountId: OTHER }), 'EVENT_DATA_INVALID'],
    ['an AccountCreated for another stream', stored('AccountCreated', { ...created, accountId: OTHER }), 'EVENT_DATA_INVALID'],
    ['a missing initialBalance', stored('AccountCreated', { ...created, initialBalance: undefined }), 'EVENT_DATA_INVALID'],
    ['a negative initialBalance', stored('AccountCreated', { ...created, initialBalance: '-1.00' }), 'EVENT_DATA_INVALID'],
    ['an initialBalance as a number', stored('AccountCreated', { ...created, initialBalance: 100 }), 'EVENT_DATA_INVALID'],
    ['an initialBalance with a fractional cent', stored('AccountCreated', { ...created, initialBalance: '1.005' }), 'EVENT_DATA_INVALID'],
    ['a missing ownerName', stored('AccountCreated', { ...created, ownerName: undefined }), 'EVENT_DATA_INVALID'],
    ['an empty ownerName', stored('AccountCreated', { ...created, ownerName: '' }), 'EVENT_DATA_INVALID'],
    ['an ownerName of 501 characters', stored('AccountCreated', { ...created, ownerName: 'x'.repeat(501) }), 'EVENT_DATA_INVALID'],
    ['a numeric ownerName', stored('AccountCreated', { ...created, ownerName: 7 }), 'EVENT_DATA_INVALID'],
    ['a missing amount', stored('MoneyDeposited', { ...deposit, amount: undefined }), 'EVENT_DATA_INVALID'],
    ['a zero amount', stored('MoneyDeposited', { ...deposit, amount: '0.00' }), 'EVENT_DATA_INVALID'],
    ['a negative deposit', stored('MoneyDeposited', { ...deposit, amount: '-5.00' }), 'EVENT_DATA_INVALID'],
    ['a negative withdrawal', stored('MoneyWithdrawn', { ...deposit, amount: '-5.00' }), 'EVENT_DATA_INVALID'],
    ['a fractional cent', stored('MoneyDeposited', { ...deposit, amount: '0.005' }), 'EVENT_DATA_INVALID'],
    ['one fraction digit', stored('MoneyDeposited', { ...deposit, amount: '12.5' }), 'EVENT_DATA_INVALID'],
    ['an amount as a number', stored('MoneyDeposited', { ...deposit, amount: 12.5 }), 'EVENT_DATA_INVALID'],
    ['an amount with an exponent', stored('MoneyWithdrawn', { ...deposit, amount: '1e3' }), 'EVENT_DATA_INVALID'],
    ['an oversized amount (19 integer digits)', stored('MoneyDeposited', { ...deposit, amount: '1000000000000000000.00' }), 'EVENT_DATA_INVALID'],
    ['a missing transactionId', stored('MoneyDeposited', { ...deposit, transactionId: undefined }), 'EVENT_DATA_INVALID'],
    ['a transactionId that is not a uuid', stored('MoneyWithdrawn', { ...deposit, transactionId: 'tx-1' }), 'EVENT_DATA_INVALID'],
    ['a transferId that is not a uuid', stored('MoneyDeposited', { ...deposit, transferId: 'transfer-1' }), 'EVENT_DATA_INVALID'],
    ['a missing reason', stored('AccountClosed', { accountId: STREAM }), 'EVENT_DATA_INVALID'],
    ['an empty reason', stored('AccountClosed', { ...closed, reason: '' }), 'EVENT_DATA_INVALID'],
  ])('rejects %s', (_what, event, code) => {
    expect(codeOf(event)).toBe(code);
  });

  it('keeps the event coordinates in the error details', () => {
    try {
      parseLedgerEvent(stored('MoneyDeposited', { ...deposit, amount: '1.005' }));
      expect.unreachable();
    } catch (error) {
      expect(isLedgerflowError(error, 'EVENT_DATA_INVALID')).toBe(true);
      expect((error as { details: unknown }).details).toMatchObject({ streamId: STREAM, version: 2, type: 'MoneyDeposited', field: 'amount' });
    }
  });
});

describe('isUuid', () => {
  it('accepts canonical uuids only', () => {
    expect(isUuid(STREAM)).toBe(true);
    expect(isUuid(STREAM.toUpperCase())).toBe(true);
    expect(isUuid(`{${STREAM}}`)).toBe(false);
    expect(isUuid(STREAM.replace(/-/g, ''))).toBe(false);
    expect(isUuid(42)).toBe(false);
  });
});
