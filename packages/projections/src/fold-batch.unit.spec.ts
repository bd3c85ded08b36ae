import { randomUUID } from 'node:crypto';
import { isLedgerflowError, type AccountRow, type StoredEvent } from '@ledgerflow/cdc-core';
import { describe, expect, it } from 'vitest';
import { evolveAccount } from './evolve-account';
import { foldBatch } from './fold-batch';
import { closed, created, deposited, storedEvent, transactionIdOf, withdrawn } from './test-fixtures';

const [A, B, C] = [randomUUID(), randomUUID(), randomUUID()] as const;

function rowAfter(events: readonly StoredEvent[]): AccountRow {
  let row: AccountRow | undefined;
  for (const e of events) row = evolveAccount(row, e).row;
  return row!;
}

describe('foldBatch', () => {
  it('folds several accounts, new and existing, into one final row each', () => {
    const aOld = [created(A, '10.00'), deposited(A, 2, '5.00')];
    const aNew = [withdrawn(A, 3, '15.00'), closed(A, 4)];
    const bNew = [created(B, '1.00'), deposited(B, 2, '0.10'), deposited(B, 3, '0.20')];
    const result = foldBatch(
      new Map([[A, rowAfter(aOld)]]),
      new Map([
        [A, aNew],
        [B, bNew],
      ]),
    );
    expect(result.failures).toEqual([]);
    expect(result.applied).toBe(5);
    expect(result.accounts).toHaveLength(2);
    const byId = new Map(result.accounts.map((r) => [r.accountId, r]));
    expect(byId.get(A)).toMatchObject({ balance: 0n, status: 'closed', version: 4, lastPosition: aNew[1]!.position });
    expect(byId.get(B)).toMatchObject({ balance: 130n, status: 'active', version: 3 });
    expect(result.transactions.map((t) => [t.accountId, t.type, t.balanceAfter])).toEqual([
      [A, 'WITHDRAWAL', 0n],
      [B, 'DEPOSIT', 110n],
      [B, 'DEPOSIT', 130n],
    ]);
    expect(result.transactions.map((t) => t.transactionId)).toEqual([aNew[0]!, bNew[1]!, bNew[2]!].map(transactionIdOf));
  });

  it('holds the later events of a failing account only; the others fold on', () => {
    const a = [created(A, '10.00'), deposited(A, 2, '1.00'), withdrawn(A, 3, '50.00'), deposited(A, 4, '1.00'), closed(A, 5)];
    const b = [created(B, '2.00'), withdrawn(B, 2, '2.00')];
    const result = foldBatch(
      new Map(),
      new Map([
        [A, a],
        [B, b],
      ]),
    );
    expect(result.applied).toBe(4);
    expect(result.failures).toHaveLength(1);
    const [failure] = result.failures;
    expect(failure!.accountId).toBe(A);
    expect(failure!.event).toBe(a[2]);
    expect(isLedgerflowError(failure!.error, 'EVENT_RULE_VIOLATION')).toBe(true);
    expect(failure!.held).toEqual([a[3], a[4]]);
    // A keeps the rows of the events before the failure; B is complete.
    const byId = new Map(result.accounts.map((r) => [r.accountId, r]));
    expect(byId.get(A)).toMatchObject({ version: 2, balance: 1100n });
    expect(byId.get(B)).toMatchObject({ version: 2, balance: 0n });
    expect(result.transactions.map((t) => [t.accountId, t.balanceAfter])).toEqual([
      [A, 1100n],
      [B, 0n],
    ]);
  });

  it('writes no row for an account whose first event fails', () => {
    const bad = storedEvent(C, 1, 'AccountCreated', { accountId: C, ownerName: 'x', initialBalance: '1.5' });
    const result = foldBatch(new Map(), new Map([[C, [bad, deposited(C, 2, '1.00')]]]));
    expect(result.accounts).toEqual([]);
    expect(result.applied).toBe(0);
    expect(result.failures.map((f) => [f.error.code, f.held.length])).toEqual([['EVENT_DATA_INVALID', 1]]);
  });

  it('leaves untouched accounts out and does not mutate its inputs', () => {
    const current = new Map([[A, Object.freeze(rowAfter([created(A, '1.00')]))]]);
    const result = foldBatch(
      current,
      new Map([
        [A, []],
        [B, [created(B)]],
      ]),
    );
    expect(result.accounts.map((r) => r.accountId)).toEqual([B]);
    expect(current.get(A)!.version).toBe(1);
  });

  it('lets a broken caller contract (a version gap) propagate instead of parking the account', () => {
    expect(() => foldBatch(new Map(), new Map([[A, [created(A), deposited(A, 3, '1.00')]]]))).toThrow(RangeError);
  });
});
