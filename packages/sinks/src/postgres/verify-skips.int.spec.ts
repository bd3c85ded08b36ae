import { randomUUID } from 'node:crypto';
import type { AccountRow, TransactionRow } from '@ledgerflow/cdc-core';
import { createTestDatabase, type TestDatabase } from '@ledgerflow/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeProjection } from './read-model-store';
import { verifyReadModels } from './verify';

/** verify's SQL fold with operator skips and version holes (G5), against rows written by hand. */
let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase('verify_skips');
});
afterAll(async () => {
  await t?.drop();
});

interface Appended {
  readonly eventId: string;
  readonly position: bigint;
  readonly createdAt: string;
}

async function append(streamId: string, version: number, type: string, data: Record<string, unknown>): Promise<Appended> {
  const eventId = randomUUID();
  const row = await t.db
    .insertInto('events')
    .values({ event_id: eventId, stream_id: streamId, version, type, data: JSON.stringify(data) })
    .returning(['global_position', 'created_at'])
    .executeTakeFirstOrThrow();
  return { eventId, position: BigInt(row.global_position), createdAt: row.created_at.toISOString() };
}

async function skip(streamId: string, version: number, eventId: string): Promise<void> {
  await t.pool.query('insert into skipped_events (event_id, account_id, version, reason) values ($1, $2, $3, $4)', [eventId, streamId, version, 'test']);
}

function row(accountId: string, opened: Appended, last: Appended, version: number, balance: bigint, status: 'active' | 'closed' = 'active'): AccountRow {
  return { accountId, ownerName: 'Owner', balance, status, version, lastPosition: last.position, createdAt: opened.createdAt, updatedAt: last.createdAt };
}

async function write(accounts: AccountRow[], transactions: TransactionRow[] = []): Promise<void> {
  await t.db.transaction().execute((trx) => writeProjection(trx, { accounts, transactions, checkpoint: { partition: 0, position: 0n, eventsApplied: 0 } }));
}

const created = (accountId: string) => ({ accountId, ownerName: 'Owner', initialBalance: '10.00' });
const money = (accountId: string, amount: string, transactionId = randomUUID()) => ({ accountId, amount, transactionId });

describe('verifyReadModels with skipped events and version holes', () => {
  it('treats a skipped event as a no-op that counts toward the version, and reports the skips', async () => {
    const S = randomUUID();
    const s1 = await append(S, 1, 'AccountCreated', created(S));
    const s2 = await append(S, 2, 'MoneyDeposited', money(S, '1.005')); // a fractional cent
    const tx3 = randomUUID();
    const s3 = await append(S, 3, 'MoneyDeposited', money(S, '5.00', tx3));
    await write([row(S, s1, s1, 1, 1000n)]);
    expect((await verifyReadModels(t.db)).mismatches).toMatchObject({ parkedStreams: 1, wrongAccounts: 0, missingTransactions: 0 });

    await skip(S, 2, s2.eventId);
    // Skipped but not redriven yet: the fold now goes past it, the row does not.
    let report = await verifyReadModels(t.db);
    expect(report.mismatches).toMatchObject({ parkedStreams: 0, wrongAccounts: 1, missingTransactions: 1 });
    expect(report.skippedEvents).toBe(1);

    await write(
      [row(S, s1, s3, 3, 1500n)],
      [{ transactionId: tx3, accountId: S, type: 'DEPOSIT', amount: 500n, balanceAfter: 1500n, position: s3.position, occurredAt: s3.createdAt }],
    );
    report = await verifyReadModels(t.db);
    expect(report.samples).toEqual([]);
    expect(report).toMatchObject({ total: 0, skippedEvents: 1 });
  });

  it('advances last_position to a skipped last event, and a skipped close does not close', async () => {
    const L = randomUUID();
    const l1 = await append(L, 1, 'AccountCreated', created(L));
    const l2 = await append(L, 2, 'InterestAccrued', { accountId: L });
    const K = randomUUID();
    const k1 = await append(K, 1, 'AccountCreated', created(K));
    const k2 = await append(K, 2, 'AccountClosed', { accountId: K, reason: 'by mistake' });
    const tx = randomUUID();
    const k3 = await append(K, 3, 'MoneyDeposited', money(K, '1.00', tx));
    await skip(L, 2, l2.eventId);
    await skip(K, 2, k2.eventId);
    await write(
      [row(L, l1, l2, 2, 1000n), row(K, k1, k3, 3, 1100n)],
      [{ transactionId: tx, accountId: K, type: 'DEPOSIT', amount: 100n, balanceAfter: 1100n, position: k3.position, occurredAt: k3.createdAt }],
    );
    const report = await verifyReadModels(t.db);
    expect(report.samples).toEqual([]);
    expect(report).toMatchObject({ total: 0, skippedEvents: 3 });

    // The row must say active: closing it would be a mismatch.
    await t.pool.query(`update account_projections set status = 'closed' where account_id = $1`, [K]);
    expect((await verifyReadModels(t.db)).mismatches.wrongAccounts).toBe(1);
    await t.pool.query(`update account_projections set status = 'active' where account_id = $1`, [K]);
  });

  it('refuses a skipped first event (it would open the account) and every event after a hole', async () => {
    const V = randomUUID();
    const v1 = await append(V, 1, 'AccountCreated', { accountId: V, ownerName: '', initialBalance: '1.00' });
    await skip(V, 1, v1.eventId);
    const H = randomUUID();
    const h1 = await append(H, 1, 'AccountCreated', created(H));
    await append(H, 3, 'MoneyDeposited', money(H, '1.00'));
    await append(H, 4, 'MoneyDeposited', money(H, '2.00'));
    // The projector parks H at the hole: its row stays at version 1 and has no transactions.
    await write([row(H, h1, h1, 1, 1000n)]);

    const report = await verifyReadModels(t.db);
    expect(report.mismatches).toEqual({
      missingAccounts: 0,
      extraAccounts: 0,
      wrongAccounts: 0,
      missingTransactions: 0,
      extraTransactions: 0,
      wrongTransactions: 0,
      brokenStreams: 1,
      parkedStreams: 2,
    });
    expect(report.skippedEvents).toBe(4);
    expect([...report.samples].sort()).toEqual([`stream ${H}: event v3 cannot be applied (account parked)`, `stream ${V}: event v1 cannot be applied (account parked)`].sort());
  });
});
