import { isLedgerflowError } from '@ledgerflow/cdc-core';
import { createTestDatabase, type TestDatabase } from '@ledgerflow/testkit';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { agreePartitionCount, changePartitionCount, readPartitionCount } from './partition-count';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase('partition_count');
});
afterAll(async () => {
  await t?.drop();
});
afterEach(async () => {
  await sql`truncate ledgerflow_partitioning, projection_checkpoints`.execute(t.db);
});

/** A count set by the operator (LEDGERFLOW_PARTITIONS). */
const set = (partitions: number) => ({ partitions, source: 'set' as const });

async function refusal(configured: number): Promise<unknown> {
  return agreePartitionCount(t.db, set(configured)).then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('agreePartitionCount', () => {
  it('records the first count it is given, and accepts it again', async () => {
    expect(await readPartitionCount(t.db)).toBeNull();
    expect(await agreePartitionCount(t.db, set(4))).toBe(4);
    expect(await readPartitionCount(t.db)).toBe(4);
    expect(await agreePartitionCount(t.db, set(4))).toBe(4);
  });

  it('refuses any other count once one is recorded, and leaves the record alone', async () => {
    await agreePartitionCount(t.db, set(4));
    for (const other of [1, 16]) {
      const error = await refusal(other);
      expect(isLedgerflowError(error, 'PARTITION_COUNT_MISMATCH')).toBe(true);
      expect((error as Error).message).toContain(`configured with ${other} partitions (LEDGERFLOW_PARTITIONS), but the database records 4`);
    }
    expect(await readPartitionCount(t.db)).toBe(4);
  });

  it('lets exactly one of many processes starting at once record its count', async () => {
    const outcomes = await Promise.allSettled([4, 8, 4, 8, 16].map((n) => agreePartitionCount(t.db, set(n))));
    const recorded = await readPartitionCount(t.db);
    expect([4, 8, 16]).toContain(recorded);
    // Every process configured with the recorded count goes on; every other one is refused.
    outcomes.forEach((outcome, i) => {
      const configured = [4, 8, 4, 8, 16][i];
      if (configured === recorded) expect(outcome).toEqual({ status: 'fulfilled', value: recorded });
      else expect(outcome.status === 'rejected' && isLedgerflowError(outcome.reason, 'PARTITION_COUNT_MISMATCH')).toBe(true);
    });
  });

  it('lets a process without a count set follow the recorded one, or record the default when there is none', async () => {
    expect(await agreePartitionCount(t.db, { partitions: 16, source: 'default' as const })).toBe(16);
    expect(await readPartitionCount(t.db)).toBe(16);
    await sql`truncate ledgerflow_partitioning`.execute(t.db);
    await agreePartitionCount(t.db, set(4));
    expect(await agreePartitionCount(t.db, { partitions: 16, source: 'default' as const })).toBe(4);
    expect(await readPartitionCount(t.db)).toBe(4);
  });

  it('will not record a count below a partition the read models already checkpointed (a database from before the record)', async () => {
    await sql`insert into projection_checkpoints (projection, partition, position, events_applied) values ('accounts', 11, 5, 5)`.execute(t.db);
    const error = await refusal(4);
    expect(isLedgerflowError(error, 'PARTITION_COUNT_MISMATCH')).toBe(true);
    expect(await readPartitionCount(t.db)).toBeNull();
    expect(await agreePartitionCount(t.db, set(16))).toBe(16);
  });

  it('is enforced by the table: one row, a count from 1 to 1024', async () => {
    await agreePartitionCount(t.db, set(4));
    await expect(sql`insert into ledgerflow_partitioning (partitions) values (8)`.execute(t.db)).rejects.toThrow(/duplicate key/);
    await expect(sql`update ledgerflow_partitioning set partitions = 0`.execute(t.db)).rejects.toThrow(/check constraint/);
  });
});

describe('changePartitionCount', () => {
  it('replaces the recorded count when the check finds no reason not to, and the new count is the one processes must agree with', async () => {
    await agreePartitionCount(t.db, set(16));
    const seen: (number | null)[] = [];
    const change = await changePartitionCount(t.db, 4, async (_trx, previous) => {
      seen.push(previous);
      return [];
    });
    expect(change).toEqual({ previous: 16, changed: true, refusals: [] });
    expect(seen).toEqual([16]);
    expect(await agreePartitionCount(t.db, set(4))).toBe(4);
    await expect(agreePartitionCount(t.db, set(16))).rejects.toThrow('configured with 16 partitions (LEDGERFLOW_PARTITIONS), but the database records 4');
  });

  it('changes nothing when the check refuses, and says why', async () => {
    await agreePartitionCount(t.db, set(16));
    const change = await changePartitionCount(t.db, 4, async () => ['queue p3 holds 2 jobs']);
    expect(change).toEqual({ previous: 16, changed: false, refusals: ['queue p3 holds 2 jobs'] });
    expect(await readPartitionCount(t.db)).toBe(16);
  });

  it('records a count on a database that has none, and does not even check when asked for the recorded count', async () => {
    expect(await changePartitionCount(t.db, 8, async () => [])).toEqual({ previous: null, changed: true, refusals: [] });
    expect(await changePartitionCount(t.db, 8, async () => ['never asked'])).toEqual({ previous: 8, changed: false, refusals: [] });
  });

  it('holds a process that starts during the change until it commits, then judges it by the new count', async () => {
    await agreePartitionCount(t.db, set(16));
    let starting: Promise<unknown> | undefined;
    await changePartitionCount(t.db, 4, async () => {
      // A process starting now with the old count: it must wait for the lock, not slip through.
      starting = agreePartitionCount(t.db, set(16)).then(
        () => 'agreed',
        (error: unknown) => error,
      );
      await new Promise((r) => setTimeout(r, 300));
      return [];
    });
    const outcome = await starting;
    expect(isLedgerflowError(outcome, 'PARTITION_COUNT_MISMATCH')).toBe(true);
  });

  it('rejects a count outside 1 to 1024', async () => {
    await expect(changePartitionCount(t.db, 0, async () => [])).rejects.toThrow(RangeError);
    await expect(changePartitionCount(t.db, 2000, async () => [])).rejects.toThrow(RangeError);
  });
});
