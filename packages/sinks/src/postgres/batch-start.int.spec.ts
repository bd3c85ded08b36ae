import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@ledgerflow/testkit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBatchStart } from './batch-start';
import { loadAccounts, writeProjection } from './read-model-store';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase('batch_start');
});
afterAll(async () => {
  await t?.drop();
});

const row = (accountId: string, version: number) => ({
  accountId,
  ownerName: 'owner',
  balance: 1234n,
  status: 'active' as const,
  version,
  lastPosition: BigInt(version * 10),
  createdAt: '2024-01-01T00:00:00.000Z',
  updatedAt: '2024-01-01T00:00:01.000Z',
});

async function park(accountId: string): Promise<void> {
  await sql`insert into parked_accounts (account_id, partition, code, message, details, failed_event_id, failed_version)
            values (${accountId}::uuid, 0, 'EVENT_INVALID', 'test', '{}'::jsonb, ${randomUUID()}::uuid, 1)`.execute(t.db);
}

describe('loadBatchStart', () => {
  const [plain, parkedWithRow, parkedWithoutRow, absent] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];

  beforeAll(async () => {
    await writeProjection(t.db, { accounts: [row(plain, 2), row(parkedWithRow, 3)], transactions: [], checkpoint: { partition: 0, position: 30n, eventsApplied: 5 } });
    await park(parkedWithRow);
    await park(parkedWithoutRow);
  });

  it('loads the rows loadAccounts loads, and says which accounts are parked, rows or not', async () => {
    const ids = [plain, parkedWithRow, parkedWithoutRow, absent];
    const start = await loadBatchStart(t.db, ids);
    expect(start.accounts).toEqual(await loadAccounts(t.db, ids));
    expect([...start.accounts.keys()].sort()).toEqual([plain, parkedWithRow].sort());
    expect([...start.parked].sort()).toEqual([parkedWithRow, parkedWithoutRow].sort());
  });

  it('has nothing parked for a batch of unparked accounts, and nothing at all for none', async () => {
    expect((await loadBatchStart(t.db, [plain, absent])).parked.size).toBe(0);
    expect(await loadBatchStart(t.db, [])).toEqual({ accounts: new Map(), parked: new Set() });
  });
});
