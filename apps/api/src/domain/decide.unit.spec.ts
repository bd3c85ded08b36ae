import { MAX_MONEY_MINOR } from '@ledgerflow/cdc-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evolveState, type AccountState } from './account-state';
import { decide, decideTransfer, type Decision, type TransferCommand } from './decide';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const TX = '00000000-0000-4000-8000-0000000000f1';
const active = (balance: bigint, version = 3): AccountState => ({ version, balance, status: 'active' });
const closed: AccountState = { version: 4, balance: 500n, status: 'closed' };

function errorOf(decision: Decision) {
  if (decision.ok) throw new Error('expected a refusal');
  return decision.error;
}
function changesOf(decision: Decision) {
  if (!decision.ok) throw new Error(`expected acceptance, got ${decision.error.code}`);
  return decision.changes;
}

describe('decide: OpenAccount', () => {
  const open = { type: 'OpenAccount', accountId: A, ownerName: 'Ada', initialBalance: 1000n } as const;

  it('creates the account at version 1 with the initial balance', () => {
    const [change] = changesOf(decide(undefined, open));
    expect(change).toEqual({ streamId: A, expectedVersion: 0, events: [{ type: 'AccountCreated', accountId: A, ownerName: 'Ada', initialBalance: 1000n }], next: active(1000n, 1) });
  });

  it('accepts a zero initial balance and refuses a negative one', () => {
    expect(decide(undefined, { ...open, initialBalance: 0n }).ok).toBe(true);
    expect(errorOf(decide(undefined, { ...open, initialBalance: -1n }))).toMatchObject({ code: 'VALIDATION_FAILED', field: 'initialBalance' });
  });

  it('refuses an account that already exists', () => {
    expect(errorOf(decide(active(0n), open)).code).toBe('ACCOUNT_EXISTS');
  });
});

describe('decide: deposits and withdrawals', () => {
  const deposit = { type: 'DepositMoney', accountId: A, amount: 250n, transactionId: TX } as const;
  const withdraw = { type: 'WithdrawMoney', accountId: A, amount: 250n, transactionId: TX } as const;

  it('appends a deposit at the next version', () => {
    const [change] = changesOf(decide(active(1000n), deposit));
    expect(change!.expectedVersion).toBe(3);
    expect(change!.events).toEqual([{ type: 'MoneyDeposited', accountId: A, amount: 250n, transactionId: TX }]);
    expect(change!.next).toEqual(active(1250n, 4));
  });

  it('allows withdrawing the whole balance but not a cent more', () => {
    expect(changesOf(decide(active(250n), withdraw))[0]!.next.balance).toBe(0n);
    expect(errorOf(decide(active(249n), withdraw))).toMatchObject({ code: 'INSUFFICIENT_FUNDS', field: 'amount' });
  });

  it.each([0n, -1n])('refuses an amount of %s', (amount) => {
    expect(errorOf(decide(active(1000n), { ...deposit, amount }))).toMatchObject({ code: 'VALIDATION_FAILED', field: 'amount' });
    expect(errorOf(decide(active(1000n), { ...withdraw, amount }))).toMatchObject({ code: 'VALIDATION_FAILED', field: 'amount' });
  });

  it('answers ACCOUNT_NOT_FOUND for an unknown account and ACCOUNT_CLOSED for a closed one', () => {
    expect(errorOf(decide(undefined, deposit)).code).toBe('ACCOUNT_NOT_FOUND');
    expect(errorOf(decide(closed, deposit)).code).toBe('ACCOUNT_CLOSED');
    expect(errorOf(decide(closed, withdraw)).code).toBe('ACCOUNT_CLOSED');
  });

  it('checks expectedVersion before anything else about the account', () => {
    expect(errorOf(decide(active(0n), { ...withdraw, expectedVersion: 2 }))).toMatchObject({ code: 'CONCURRENCY_CONFLICT', field: 'expectedVersion' });
    expect(changesOf(decide(active(1000n), { ...withdraw, expectedVersion: 3 }))).toHaveLength(1);
  });

  it('refuses a deposit that would overflow numeric(20,2)', () => {
    expect(errorOf(decide(active(MAX_MONEY_MINOR), { ...deposit, amount: 1n })).code).toBe('BALANCE_LIMIT_EXCEEDED');
    expect(changesOf(decide(active(MAX_MONEY_MINOR - 1n), { ...deposit, amount: 1n }))[0]!.next.balance).toBe(MAX_MONEY_MINOR);
  });
});

describe('decide: CloseAccount', () => {
  const close = { type: 'CloseAccount', accountId: A, reason: 'moving abroad' } as const;

  it('closes an active account, keeping its balance', () => {
    expect(changesOf(decide(active(700n), close))[0]!.next).toEqual({ version: 4, balance: 700n, status: 'closed' });
  });

  it('refuses to close twice, or an unknown account', () => {
    expect(errorOf(decide(closed, close)).code).toBe('ACCOUNT_CLOSED');
    expect(errorOf(decide(undefined, close)).code).toBe('ACCOUNT_NOT_FOUND');
  });
});

describe('decideTransfer', () => {
  const command = (from: string, to: string, amount = 300n): TransferCommand => ({
    fromAccountId: from,
    toAccountId: to,
    amount,
    transferId: 'tr',
    withdrawalTransactionId: 'w',
    depositTransactionId: 'd',
  });

  it('withdraws and deposits with a shared transferId, in sorted stream order', () => {
    const changes = changesOf(decideTransfer(active(1000n, 2), active(0n, 5), command(B, A)));
    expect(changes.map((c) => c.streamId)).toEqual([A, B]);
    const [toA, fromB] = changes;
    expect(fromB!.events).toEqual([{ type: 'MoneyWithdrawn', accountId: B, amount: 300n, transactionId: 'w', transferId: 'tr' }]);
    expect(toA!.events).toEqual([{ type: 'MoneyDeposited', accountId: A, amount: 300n, transactionId: 'd', transferId: 'tr' }]);
    expect([fromB!.next, toA!.next]).toEqual([active(700n, 3), active(300n, 6)]);
  });

  it.each([
    ['same account', active(1000n), active(1000n), command(A, A), 'SAME_ACCOUNT', 'toAccountId'],
    ['unknown source', undefined, active(0n), command(A, B), 'ACCOUNT_NOT_FOUND', 'fromAccountId'],
    ['unknown target', active(1000n), undefined, command(A, B), 'ACCOUNT_NOT_FOUND', 'toAccountId'],
    ['closed source', closed, active(0n), command(A, B), 'ACCOUNT_CLOSED', 'fromAccountId'],
    ['closed target', active(1000n), closed, command(A, B), 'ACCOUNT_CLOSED', 'toAccountId'],
    ['insufficient funds', active(299n), active(0n), command(A, B), 'INSUFFICIENT_FUNDS', 'amount'],
    ['zero amount', active(1000n), active(0n), command(A, B, 0n), 'VALIDATION_FAILED', 'amount'],
    ['target overflow', active(1000n), active(MAX_MONEY_MINOR), command(A, B), 'BALANCE_LIMIT_EXCEEDED', 'amount'],
  ] as const)('refuses: %s', (_name, from, to, cmd, code, field) => {
    expect(errorOf(decideTransfer(from, to, cmd))).toMatchObject({ code, field });
  });
});

describe('decide + evolveState (property)', () => {
  it('never lets a balance go negative, and the balance is the sum of accepted movements', () => {
    const op = fc.record({ deposit: fc.boolean(), amount: fc.bigInt({ min: -5n, max: 2_000n }) });
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 5_000n }), fc.array(op, { maxLength: 40 }), (initial, ops) => {
        let state = changesOf(decide(undefined, { type: 'OpenAccount', accountId: A, ownerName: 'x', initialBalance: initial }))[0]!.next;
        let expected = initial;
        for (const { deposit, amount } of ops) {
          const type = deposit ? 'DepositMoney' : 'WithdrawMoney';
          const decision = decide(state, { type, accountId: A, amount, transactionId: TX });
          if (!decision.ok) continue;
          const events = decision.changes[0]!.events;
          state = events.reduce<AccountState | undefined>(evolveState, state)!;
          expected += deposit ? amount : -amount;
          expect(amount).toBeGreaterThan(0n);
        }
        expect(state.balance).toBe(expected);
        expect(state.balance).toBeGreaterThanOrEqual(0n);
      }),
    );
  });
});
