import { randomUUID } from 'node:crypto';
import { parseMoney, type AccountRow, type TransactionRow } from '@ledgerflow/cdc-core';
import { createTestDatabase, type TestDatabase } from '@ledgerflow/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { writeProjection } from './read-model-store';
import { verifyReadModels, type VerifyReport } from './verify';

/** One row of `events` as inserted, with what PostgreSQL assigned. */
interface Appended {
  readonly streamId: string;
  readonly version: number;
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly position: bigint;
  readonly createdAt: string;
}

let t: TestDatabase;
const versions = new Map<string, number>();

/** Appends an event with SQL (created_at from the server's now(), microseconds and all). */
async function append(streamId: string, type: string, data: Record<string, unknown>, version = (versions.get(streamId) ?? 0) + 1): Promise<Appended> {
  versions.set(streamId, version);
  const row = await t.db
    .insertInto('events')
    .values({ event_id: randomUUID(), stream_id: streamId, version, type, data: JSON.stringify(data) })
    .returning(['global_position', 'created_at'])
    .executeTakeFirstOrThrow();
  return { streamId, version, type, data, position: BigInt(row.global_position), createdAt: row.created_at.toISOString() };
}

/**
 * The read model of valid histories, by hand. Deliberately not @ledgerflow/projections (sinks
 * must not depend on it): a third, tiny implementation to check verify's SQL against.
 */
function foldByHand(events: readonly Appended[]): { accounts: AccountRow[]; transactions: TransactionRow[] } {
  const accounts = new Map<string, AccountRow>();
  const transactions: TransactionRow[] = [];
  for (const e of events) {
    const d = e.data as Record<string, string>;
    const advanced = { version: e.version, lastPosition: e.position, updatedAt: e.createdAt };
    const row = accounts.get(e.streamId);
    if (e.type === 'AccountCreated') {
      const balance = parseMoney(d['initialBalance']);
      accounts.set(e.streamId, { accountId: e.streamId, ownerName: d['ownerName']!, balance, status: 'active', createdAt: e.createdAt, ...advanced });
    } else if (!row) {
      throw new Error(`test data: ${e.type} before AccountCreated`);
    } else if (e.type === 'AccountClosed') {
      accounts.set(e.streamId, { ...row, ...advanced, status: 'closed' });
    } else {
      const amount = parseMoney(d['amount']);
      const balance = e.type === 'MoneyDeposited' ? row.balance + amount : row.balance - amount;
      accounts.set(e.streamId, { ...row, ...advanced, balance });
      const type = e.type === 'MoneyDeposited' ? 'DEPOSIT' : 'WITHDRAWAL';
      transactions.push({ transactionId: d['transactionId']!, accountId: e.streamId, type, amount, balanceAfter: balance, position: e.position, occurredAt: e.createdAt });
    }
  }
  return { accounts: [...accounts.values()], transactions };
}

/** Replaces the read models with the given (correct) fold. */
async function writeReadModel(events: readonly Appended[]): Promise<void> {
  await t.pool.query('truncate account_projections, transaction_projections, projection_checkpoints');
  const { accounts, transactions } = foldByHand(events);
  const position = events.reduce((max, e) => (e.position > max ? e.position : max), 0n);
  await t.db.transaction().execute((trx) => writeProjection(trx, { accounts, transactions, checkpoint: { partition: 0, position, eventsApplied: events.length } }));
}

const NO_MISMATCHES: VerifyReport['mismatches'] = {
  missingAccounts: 0,
  extraAccounts: 0,
  wrongAccounts: 0,
  missingTransactions: 0,
  extraTransactions: 0,
  wrongTransactions: 0,
  brokenStreams: 0,
  parkedStreams: 0,
};

const [A, B, C] = [randomUUID(), randomUUID(), randomUUID()];
const history: Appended[] = [];
const txOfA = randomUUID();

beforeAll(async () => {
  t = await createTestDatabase('verify');
  const transferId = randomUUID();
  const money = (accountId: string, amount: string, extra: Record<string, string> = {}) => ({ accountId, amount, transactionId: randomUUID(), ...extra });
  history.push(
    await append(A, 'AccountCreated', { accountId: A, ownerName: 'Ada', initialBalance: '100.00' }),
    await append(B, 'AccountCreated', { accountId: B, ownerName: 'Björn "B" O\'Neil', initialBalance: '0.00' }),
    await append(A, 'MoneyDeposited', { ...money(A, '0.10'), transactionId: txOfA }),
    await append(C, 'AccountCreated', { accountId: C, ownerName: 'Chen', initialBalance: '5.00' }),
    await append(A, 'MoneyDeposited', money(A, '0.20')),
    await append(B, 'MoneyDeposited', money(B, '999999999999999.99')),
    await append(B, 'MoneyWithdrawn', money(B, '12.34', { transferId })),
    await append(C, 'MoneyDeposited', money(C, '12.34', { transferId })),
    await append(A, 'MoneyWithdrawn', money(A, '50.00')),
    await append(C, 'AccountClosed', { accountId: C, reason: 'moved abroad' }),
  );
});
afterAll(async () => {
  await t?.drop();
});

describe('verifyReadModels', () => {
  beforeEach(async () => {
    await writeReadModel(history);
  });

  it('reports no mismatch for a correct read model', async () => {
    const report = await verifyReadModels(t.db);
    expect(report).toEqual({ streams: 3, events: 10, accountRows: 3, transactionRows: 6, mismatches: NO_MISMATCHES, total: 0, skippedEvents: 0, samples: [] });
    // The hand fold agrees on the figures that matter.
    const balances = await t.pool.query<{ account_id: string; balance: string }>('select account_id, balance::text from account_projections');
    expect(Object.fromEntries(balances.rows.map((r) => [r.account_id, r.balance]))).toEqual({ [A]: '50.30', [B]: '999999999999987.65', [C]: '17.34' });
  });

  // The acceptance test: verify catches a corrupted read-model row, whichever way it is corrupted.
  it.each<[string, string, keyof VerifyReport['mismatches']]>([
    ['a balance changed by 0.01', `update account_projections set balance = balance + 0.01 where account_id = '${A}'`, 'wrongAccounts'],
    ['a status flipped', `update account_projections set status = 'closed' where account_id = '${A}'`, 'wrongAccounts'],
    ['a closed account reopened', `update account_projections set status = 'active' where account_id = '${C}'`, 'wrongAccounts'],
    ['a version changed', `update account_projections set version = version - 1 where account_id = '${B}'`, 'wrongAccounts'],
    ['a last_position changed', `update account_projections set last_position = last_position + 1 where account_id = '${B}'`, 'wrongAccounts'],
    ['an owner renamed', `update account_projections set owner_name = 'Eve' where account_id = '${A}'`, 'wrongAccounts'],
    ['an account row deleted', `delete from account_projections where account_id = '${C}'`, 'missingAccounts'],
    [
      'an extra account row',
      `insert into account_projections values ('${randomUUID()}', 'ghost', 1.00, 'active', 1, 1, now(), now())`,
      'extraAccounts',
    ],
    ['a transaction row deleted', `delete from transaction_projections where transaction_id = '${txOfA}'`, 'missingTransactions'],
    [
      'an extra transaction row',
      `insert into transaction_projections values ('${randomUUID()}', '${A}', 'DEPOSIT', 1.00, 51.30, 999, now())`,
      'extraTransactions',
    ],
    ['a balance_after changed', `update transaction_projections set balance_after = balance_after - 0.01 where transaction_id = '${txOfA}'`, 'wrongTransactions'],
    ['a transaction amount changed', `update transaction_projections set amount = 0.11 where transaction_id = '${txOfA}'`, 'wrongTransactions'],
    ['a transaction type flipped', `update transaction_projections set type = 'WITHDRAWAL' where transaction_id = '${txOfA}'`, 'wrongTransactions'],
    ['a transaction moved to another account', `update transaction_projections set account_id = '${B}' where transaction_id = '${txOfA}'`, 'wrongTransactions'],
    ['an occurred_at off by a millisecond', `update transaction_projections set occurred_at = occurred_at + interval '1 millisecond' where transaction_id = '${txOfA}'`, 'wrongTransactions'],
  ])('catches %s', async (_what, corruption, mismatch) => {
    const result = await t.pool.query(corruption);
    expect(result.rowCount).toBe(1);
    const report = await verifyReadModels(t.db);
    expect(report.mismatches).toEqual({ ...NO_MISMATCHES, [mismatch]: 1 });
    expect(report.total).toBe(1);
    if (mismatch.endsWith('Accounts') && mismatch !== 'extraAccounts') expect(report.samples.join('\n')).toMatch(/^account /);
    // Restored, it is clean again.
    await writeReadModel(history);
    expect((await verifyReadModels(t.db)).total).toBe(0);
  });

  it('counts every corrupted row, not just whether something differs', async () => {
    await t.pool.query(`update account_projections set balance = balance + 0.01`);
    await t.pool.query(`delete from transaction_projections where account_id = '${A}'`);
    const report = await verifyReadModels(t.db);
    expect(report.mismatches).toEqual({ ...NO_MISMATCHES, wrongAccounts: 3, missingTransactions: 3 });
    expect(report.total).toBe(6);
    expect(report.samples).toHaveLength(3);
  });
});

// Runs last in this file: it adds events that stay in the store.
describe('verifyReadModels with events the projection must refuse', () => {
  it('reports parked streams without crashing, checking them up to the refused event', async () => {
    const [D, E, F] = [randomUUID(), randomUUID(), randomUUID()];
    const tx = () => randomUUID();
    const valid = [
      await append(D, 'AccountCreated', { accountId: D, ownerName: 'Dora', initialBalance: '10.00' }),
      await append(E, 'AccountCreated', { accountId: E, ownerName: 'Emil', initialBalance: '1.00' }),
      await append(F, 'AccountCreated', { accountId: F, ownerName: 'Fay', initialBalance: '1.00' }),
    ];
    await append(D, 'MoneyDeposited', { accountId: D, amount: '1.005', transactionId: tx() }); // a fractional cent
    await append(D, 'MoneyDeposited', { accountId: D, amount: '1.00', transactionId: tx() }); // held behind it
    await append(E, 'InterestAccrued', { accountId: E, amount: 'lots' }); // an unknown type
    await append(F, 'MoneyWithdrawn', { accountId: F, amount: '5.00', transactionId: 'not-a-uuid' }); // bad id and an overdraft
    await writeReadModel([...history, ...valid]);

    const report = await verifyReadModels(t.db);
    expect(report.mismatches).toEqual({ ...NO_MISMATCHES, parkedStreams: 3 });
    expect(report.total).toBe(3);
    expect(report.samples.filter((s) => s.includes('cannot be applied'))).toHaveLength(3);

    // A read model that applied past the refused event is wrong.
    await t.pool.query(`update account_projections set version = 3, balance = 11.00 where account_id = '${D}'`);
    expect((await verifyReadModels(t.db)).mismatches).toEqual({ ...NO_MISMATCHES, parkedStreams: 3, wrongAccounts: 1 });
  });

  it('refuses a rule violation with well-formed data (an overdraft) the way the projector does', async () => {
    const G = randomUUID();
    const created = await append(G, 'AccountCreated', { accountId: G, ownerName: 'Gus', initialBalance: '1.00' });
    await append(G, 'MoneyWithdrawn', { accountId: G, amount: '1.01', transactionId: randomUUID() });
    await t.pool.query('truncate account_projections, transaction_projections');
    const { accounts } = foldByHand([created]);
    await t.db.transaction().execute((trx) => writeProjection(trx, { accounts, transactions: [], checkpoint: { partition: 0, position: created.position, eventsApplied: 1 } }));
    const report = await verifyReadModels(t.db);
    expect(report.mismatches.parkedStreams).toBeGreaterThanOrEqual(1);
    // Every other stream's rows are missing now; G itself is checked up to the overdraft and matches.
    const samples = report.samples.join('\n');
    expect(samples).toContain(`stream ${G}: event v2 cannot be applied`);
    expect(samples).not.toContain(`account ${G}`);
  });

  it('reports a stream whose versions have a gap as broken', async () => {
    const H = randomUUID();
    await append(H, 'AccountCreated', { accountId: H, ownerName: 'Hal', initialBalance: '1.00' });
    await append(H, 'MoneyDeposited', { accountId: H, amount: '1.00', transactionId: randomUUID() }, 3);
    const report = await verifyReadModels(t.db);
    expect(report.mismatches.brokenStreams).toBe(1);
    expect(report.total).toBeGreaterThan(0);
  });
});
