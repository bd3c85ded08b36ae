import { createTestDatabase, type TestDatabase } from '@ledgerflow/testkit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PartitionLease } from './partition-lease';

let tdb: TestDatabase;
beforeAll(async () => {
  tdb = await createTestDatabase('projector_partition_lease');
});
afterAll(async () => {
  await tdb?.drop();
});

const options = (statementTimeoutMs?: number) => ({
  databaseUrl: tdb.url,
  applicationName: 'lf-projector:lease-test',
  onLost: () => undefined,
  ...(statementTimeoutMs === undefined ? {} : { statementTimeoutMs }),
});
const statementTimeout = async (lease: PartitionLease) => (await sql<{ statement_timeout: string }>`show statement_timeout`.execute(lease.db)).rows[0]?.statement_timeout;

describe('PartitionLease', () => {
  it('limits every statement on the partition connection when asked (the batches outside a transaction rely on it)', async () => {
    const lease = (await PartitionLease.tryAcquire(7, options(1234)))!;
    try {
      expect(await statementTimeout(lease)).toBe('1234ms');
      await expect(sql`select pg_sleep(2)`.execute(lease.db)).rejects.toMatchObject({ code: '57014' });
    } finally {
      await lease.release();
    }
  });

  it('leaves the server default without one, and one holder per partition', async () => {
    const lease = (await PartitionLease.tryAcquire(8, options()))!;
    try {
      expect(await statementTimeout(lease)).toBe('0');
      expect(await PartitionLease.tryAcquire(8, options())).toBeUndefined();
    } finally {
      await lease.release();
    }
  });

  it('commits without waiting for the WAL flush when asked, keeping its key-lookup plans (decision 015)', async () => {
    const lease = (await PartitionLease.tryAcquire(10, { ...options(), synchronousCommit: false }))!;
    try {
      const { rows } = await sql<{ c: string; s: string }>`select current_setting('synchronous_commit') as c, current_setting('enable_seqscan') as s`.execute(lease.db);
      expect(rows[0]).toEqual({ c: 'off', s: 'off' });
    } finally {
      await lease.release();
    }
  });

  it('plans its prepared batch statements as key lookups (no sequential scans)', async () => {
    const lease = (await PartitionLease.tryAcquire(9, options()))!;
    try {
      const { rows } = await sql<{ enable_seqscan: string }>`show enable_seqscan`.execute(lease.db);
      expect(rows[0]?.enable_seqscan).toBe('off');
    } finally {
      await lease.release();
    }
  });
});
