import { randomUUID } from 'node:crypto';
import { MAX_MONEY_MINOR, formatMoney, isLedgerflowError, type AccountRow, type ErrorCode, type StoredEvent } from '@ledgerflow/cdc-core';
import { describe, expect, it } from 'vitest';
import { evolveAccount } from './evolve-account';
import { closed, created, deposited, storedEvent, transactionIdOf, withdrawn } from './test-fixtures';

const A = randomUUID();

/** Folds a list of events from nothing, returning the final row. */
function fold(events: readonly StoredEvent[]): AccountRow {
  let row: AccountRow | undefined;
  for (const event of events) row = evolveAccount(row, event).row;
  if (!row) throw new Error('no events');
  return row;
}

function codeOf(fn: () => unknown): ErrorCode {
  try {
    fn();
  } catch (error) {
    if (!isLedgerflowError(error)) throw error;
    expect(error.retryable).toBe(false);
    return error.code;
  }
  throw new Error('expected a LedgerflowError');
}

describe('evolveAccount', () => {
  it('AccountCreated opens an active row at version 1', () => {
    const event = created(A, '100.00', 1, 7n);
    const { row, transaction } = evolveAccount(undefined, event);
    expect(row).toEqual({
      accountId: A,
      ownerName: `owner of ${A.slice(0, 8)}`,
      balance: 10_000n,
      status: 'active',
      version: 1,
      lastPosition: 7n,
      createdAt: event.createdAt,
      updatedAt: event.createdAt,
    });
    expect(transaction).toBeUndefined();
  });

  it('MoneyDeposited adds and records a DEPOSIT with its balance_after', () => {
    const open = created(A, '100.00', 1, 1n);
    const event = deposited(A, 2, '12.34', 5n);
    const before = Object.freeze(evolveAccount(undefined, open).row);
    const { row, transaction } = evolveAccount(before, event);
    expect(row).toMatchObject({ balance: 11_234n, version: 2, lastPosition: 5n, createdAt: open.createdAt, updatedAt: event.createdAt, status: 'active' });
    expect(transaction).toEqual({
      transactionId: transactionIdOf(event),
      accountId: A,
      type: 'DEPOSIT',
      amount: 1234n,
      balanceAfter: 11_234n,
      position: 5n,
      occurredAt: event.createdAt,
    });
    expect(before.balance).toBe(10_000n);
  });

  it('MoneyWithdrawn subtracts and records a WITHDRAWAL, down to exactly zero', () => {
    const row = fold([created(A, '10.00'), withdrawn(A, 2, '2.50')]);
    expect(row.balance).toBe(750n);
    const event = withdrawn(A, 3, '7.50');
    const next = evolveAccount(row, event);
    expect(next.row.balance).toBe(0n);
    expect(next.transaction).toMatchObject({ type: 'WITHDRAWAL', amount: 750n, balanceAfter: 0n, transactionId: transactionIdOf(event) });
  });

  it('AccountClosed closes without a transaction and keeps the balance', () => {
    const row = fold([created(A, '3.00')]);
    const event = closed(A, 2, 99n);
    const next = evolveAccount(row, event);
    expect(next.row).toMatchObject({ status: 'closed', balance: 300n, version: 2, lastPosition: 99n, updatedAt: event.createdAt });
    expect(next.transaction).toBeUndefined();
  });

  it('does balance arithmetic exactly in minor units', () => {
    expect(fold([created(A, '0.00'), deposited(A, 2, '0.10'), deposited(A, 3, '0.20')]).balance).toBe(30n);
    const big = fold([created(A, '999999999999999998.00'), deposited(A, 2, '1.99'), withdrawn(A, 3, '0.01'), deposited(A, 4, '0.01')]);
    expect(big.balance).toBe(MAX_MONEY_MINOR);
    expect(formatMoney(big.balance)).toBe('999999999999999999.99');
  });

  it.each<[string, () => StoredEvent[]]>([
    ['a deposit on an account that was never created', () => [deposited(A, 1, '1.00')]],
    ['a withdrawal on an account that was never created', () => [withdrawn(A, 1, '1.00')]],
    ['a close of an account that was never created', () => [closed(A, 1)]],
    ['a second AccountCreated', () => [created(A), created(A, '0.00', 2)]],
    ['a withdrawal beyond the balance', () => [created(A, '5.00'), withdrawn(A, 2, '5.01')]],
    ['a withdrawal from an empty account', () => [created(A), withdrawn(A, 2, '0.01')]],
    ['a deposit on a closed account', () => [created(A), closed(A, 2), deposited(A, 3, '1.00')]],
    ['a withdrawal from a closed account', () => [created(A, '5.00'), closed(A, 2), withdrawn(A, 3, '1.00')]],
    ['closing a closed account', () => [created(A), closed(A, 2), closed(A, 3)]],
    ['a balance beyond numeric(20,2)', () => [created(A, '999999999999999999.99'), deposited(A, 2, '0.01')]],
  ])('refuses %s with EVENT_RULE_VIOLATION', (_what, history) => {
    const events = history();
    const last = events[events.length - 1]!;
    const before = events.length > 1 ? fold(events.slice(0, -1)) : undefined;
    expect(codeOf(() => evolveAccount(before, last))).toBe('EVENT_RULE_VIOLATION');
  });

  it('passes bad data and unknown types on with their own codes', () => {
    const row = fold([created(A, '5.00')]);
    expect(codeOf(() => evolveAccount(row, storedEvent(A, 2, 'MoneyDeposited', { accountId: A, amount: '1.005', transactionId: randomUUID() })))).toBe('EVENT_DATA_INVALID');
    expect(codeOf(() => evolveAccount(row, storedEvent(A, 2, 'InterestAccrued', { accountId: A })))).toBe('EVENT_TYPE_UNKNOWN');
    expect(codeOf(() => evolveAccount(undefined, storedEvent(A, 1, 'AccountCreated', { accountId: A, ownerName: 'x', initialBalance: '-1.00' })))).toBe(
      'EVENT_DATA_INVALID',
    );
  });

  it('refuses a version that does not follow the row as a caller bug, not as poison', () => {
    const row = fold([created(A, '5.00')]);
    for (const call of [() => evolveAccount(row, deposited(A, 3, '1.00')), () => evolveAccount(row, deposited(A, 1, '1.00')), () => evolveAccount(undefined, deposited(A, 2, '1.00'))]) {
      expect(call).toThrow(RangeError);
    }
    const other = randomUUID();
    expect(() => evolveAccount(row, deposited(other, 2, '1.00'))).toThrow(RangeError);
  });
});
