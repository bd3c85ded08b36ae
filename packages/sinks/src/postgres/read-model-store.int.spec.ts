import { randomUUID } from 'node:crypto';
import { MAX_MONEY_MINOR, isLedgerflowError, type AccountRow, type TransactionRow } from '@ledgerflow/cdc-core';
import { createTestDatabase, type TestDatabase } from '@ledgerflow/testkit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNTS_PROJECTION, loadAccounts, writeProjection, writeProjections, type ProjectionWrite } from './read-model-store';

let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase('read_model_store');
});
afterAll(async () => {
  await t?.drop();
});

function account(accountId: string, version: number, balance: bigint, position: bigint): AccountRow {
  return {
    accountId,
    ownerName: `owner ${accountId.slice(0, 4)}`,
    balance,
    status: 'active',
    version,
    lastPosition: position,
    createdAt: '2024-01-01T00:00:00.001Z',
    updatedAt: new Date(Date.UTC(2024, 0, 1) + version * 1000).toISOString(),
  };
}

function deposit(accountId: string, amount: bigint, balanceAfter: bigint, position: bigint): TransactionRow {
  return { transactionId: randomUUID(), accountId, type: 'DEPOSIT', amount, balanceAfter, position, occurredAt: '2024-01-01T00:00:02.345Z' };
}

async function staleWrite(write: ProjectionWrite): Promise<unknown> {
  try {
    await t.db.transaction().execute((trx) => writeProjection(trx, write));
  } catch (error) {
    return error;
  }
  throw new Error('expected STALE_WRITE, the write went through');
}

async function checkpoint(partition: number): Promise<{ position: string; events_applied: string } | undefined> {
  return t.db
    .selectFrom('projection_checkpoints')
    .select(['position', 'events_applied'])
    .where('projection', '=', ACCOUNTS_PROJECTION)
    .where('partition', '=', partition)
    .executeTakeFirst();
}

const count = async (table: 'transaction_projections' | 'account_projections') =>
  Number((await t.db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);

describe('writeProjection / loadAccounts', () => {
  const A = randomUUID();
  const B = randomUUID();
  const big = 9_007_199_254_740_993n;

  it('inserts account rows, transaction rows and the checkpoint; rows load back exactly', async () => {
    const a = account(A, 2, MAX_MONEY_MINOR, big);
    const b = account(B, 1, 1n, 5n);
    await t.db.transaction().execute((trx) =>
      writeProjection(trx, { accounts: [a, b], transactions: [deposit(A, 1n, MAX_MONEY_MINOR, big)], checkpoint: { partition: 3, position: big, eventsApplied: 3 } }),
    );
    const loaded = await loadAccounts(t.db, [A, B, randomUUID()]);
    expect(loaded.size).toBe(2);
    expect(loaded.get(A)).toEqual(a);
    expect(loaded.get(B)).toEqual(b);
    expect(await count('transaction_projections')).toBe(1);
    const money = await t.pool.query<{ amount: string; balance_after: string }>('select amount::text, balance_after::text from transaction_projections');
    expect(money.rows).toEqual([{ amount: '0.01', balance_after: '999999999999999999.99' }]);
    expect(await checkpoint(3)).toEqual({ position: big.toString(), events_applied: '3' });
    expect((await loadAccounts(t.db, [])).size).toBe(0);
  });

  it.each([
    ['an equal', 2],
    ['a lower', 1],
  ])('refuses %s version with a retryable STALE_WRITE and rolls the whole batch back', async (_what, version) => {
    const before = await loadAccounts(t.db, [A, B]);
    const transactionsBefore = await count('transaction_projections');
    const error = await staleWrite({
      // B moves forward legitimately; A is stale, so nothing of the batch may stay.
      accounts: [account(B, 2, 100n, 6n), account(A, version, 0n, big + 1n)],
      transactions: [deposit(B, 99n, 100n, 6n)],
      checkpoint: { partition: 3, position: big + 10n, eventsApplied: 2 },
    });
    expect(isLedgerflowError(error, 'STALE_WRITE')).toBe(true);
    expect((error as { retryable: boolean }).retryable).toBe(true);
    expect(await loadAccounts(t.db, [A, B])).toEqual(before);
    expect(await count('transaction_projections')).toBe(transactionsBefore);
    expect(await checkpoint(3)).toEqual({ position: big.toString(), events_applied: '3' });
  });

  it('moves a row forward to a higher version', async () => {
    const next = { ...account(A, 3, 0n, big + 1n), status: 'closed' as const };
    await t.db.transaction().execute((trx) => writeProjection(trx, { accounts: [next], transactions: [], checkpoint: { partition: 3, position: big + 1n, eventsApplied: 1 } }));
    expect((await loadAccounts(t.db, [A])).get(A)).toEqual(next);
  });

  it('keeps the greatest checkpoint position and adds up events_applied', async () => {
    const write = (position: bigint, eventsApplied: number) =>
      t.db.transaction().execute((trx) => writeProjection(trx, { accounts: [], transactions: [], checkpoint: { partition: 7, position, eventsApplied } }));
    await write(100n, 5);
    expect(await checkpoint(7)).toEqual({ position: '100', events_applied: '5' });
    await write(40n, 2);
    expect(await checkpoint(7)).toEqual({ position: '100', events_applied: '7' });
    await write(2n ** 62n, 1);
    expect(await checkpoint(7)).toEqual({ position: (2n ** 62n).toString(), events_applied: '8' });
    // Other partitions are untouched.
    expect((await checkpoint(3))?.position).toBe((big + 1n).toString());
  });

  it('refuses a whole write when the guard refuses one row: nothing of the statement lands', async () => {
    const C = randomUUID();
    const before = await count('transaction_projections');
    const error = await staleWrite({
      accounts: [account(C, 1, 5n, 900n), account(A, 1, 0n, 901n)],
      transactions: [deposit(C, 5n, 5n, 900n)],
      checkpoint: { partition: 11, position: 901n, eventsApplied: 2 },
    });
    expect(isLedgerflowError(error) && error.code).toBe('STALE_WRITE');
    expect((await loadAccounts(t.db, [C])).has(C)).toBe(false);
    expect(await count('transaction_projections')).toBe(before);
    expect(await checkpoint(11)).toBeUndefined();
  });

  it('refuses a whole write without a transaction around it too: the statement raises, nothing lands', async () => {
    const D = randomUUID();
    const before = await count('transaction_projections');
    const error = await writeProjection(t.db, {
      accounts: [account(D, 1, 5n, 950n), account(A, 1, 0n, 951n)],
      transactions: [deposit(D, 5n, 5n, 950n)],
      checkpoint: { partition: 13, position: 951n, eventsApplied: 2 },
    }).catch((e: unknown) => e);
    expect(isLedgerflowError(error) && error.code).toBe('STALE_WRITE');
    expect(isLedgerflowError(error) && error.retryable).toBe(true);
    expect((await loadAccounts(t.db, [D])).has(D)).toBe(false);
    expect(await count('transaction_projections')).toBe(before);
    expect(await checkpoint(13)).toBeUndefined();
  });
});

describe('loadAccounts timestamps', () => {
  it('spells every stored timestamp as Date.toISOString would, whatever its precision, zone or year', async () => {
    const stored = ['2024-01-01 00:00:00.001+00', '2026-06-01 12:00:00+02', '2026-01-01 00:00:00.123999+00', '1969-12-31 23:59:59.9995+00', '0999-12-31 23:59:59+00', '2099-02-28 23:59:59.5+05:30'];
    const ids = stored.map(() => randomUUID());
    for (const [i, at] of stored.entries()) {
      await sql`insert into account_projections (account_id, owner_name, balance, status, version, last_position, created_at, updated_at)
        values (${ids[i]!}::uuid, 'o', 0, 'active', 1, 1, ${at}::timestamptz, ${at}::timestamptz)`.execute(t.db);
    }
    // What the rows loaded as before decision 018: pg's Date of the column, formatted.
    const asDates = await sql<{ account_id: string; created_at: Date }>`select account_id, created_at from account_projections where account_id = any(${ids}::uuid[])`.execute(t.db);
    const expected = new Map(asDates.rows.map((r) => [r.account_id, r.created_at.toISOString()]));
    const loaded = await loadAccounts(t.db, ids);
    expect(loaded.size).toBe(stored.length);
    for (const id of ids) {
      expect(loaded.get(id)!.createdAt, id).toBe(expected.get(id));
      expect(loaded.get(id)!.updatedAt, id).toBe(expected.get(id));
    }
    expect(loaded.get(ids[1]!)!.createdAt).toBe('2026-06-01T10:00:00.000Z');
    expect(loaded.get(ids[3]!)!.createdAt).toBe('1969-12-31T23:59:59.999Z');
  });
});

describe('writeProjections', () => {
  it("writes several partitions' rows and checkpoints in one statement, merging a partition given twice", async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    await writeProjections(t.db, {
      accounts: [account(a, 1, 500n, 101n), account(b, 1, 700n, 102n)],
      transactions: [deposit(a, 500n, 500n, 101n)],
      checkpoints: [
        { partition: 40, position: 101n, eventsApplied: 1 },
        { partition: 41, position: 102n, eventsApplied: 1 },
        { partition: 40, position: 99n, eventsApplied: 2 },
      ],
    });
    expect(await checkpoint(40)).toEqual({ position: '101', events_applied: '3' });
    expect(await checkpoint(41)).toEqual({ position: '102', events_applied: '1' });
    expect([...(await loadAccounts(t.db, [a, b])).values()].map((r) => r.balance).sort()).toEqual([500n, 700n]);
  });

  it('refuses everything, as retryable PARTITION_LOCK_LOST, when a fenced partition lock is not held', async () => {
    const a = randomUUID();
    const error = await writeProjections(t.db, {
      accounts: [account(a, 1, 1n, 200n)],
      transactions: [],
      checkpoints: [{ partition: 42, position: 200n, eventsApplied: 1 }],
      fence: { namespace: 1, holders: [{ partition: 42, pid: 1 }] },
    }).catch((e: unknown) => e);
    expect(isLedgerflowError(error, 'PARTITION_LOCK_LOST')).toBe(true);
    expect((await loadAccounts(t.db, [a])).size).toBe(0);
    expect(await checkpoint(42)).toBeUndefined();
  });
});
