import { isLedgerflowError } from '@ledgerflow/cdc-core';
import { readPartitionCount } from '@ledgerflow/sinks';
import { createTestDatabase, startRefusal, testRedisPrefix, type TestDatabase } from '@ledgerflow/testkit';
import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProjectorConfig } from './config';
import { startProjector } from './projector';
import { FAST_FLEET, lockHolders, testProjectorConfig } from './testing/fleet-fixtures';

const redis = testRedisPrefix('projector-partition-count');
const logger = pino({ level: 'silent' });
let tdb: TestDatabase;

beforeAll(async () => {
  tdb = await createTestDatabase('projector_partition_count');
});

afterAll(async () => {
  await redis.cleanup();
  await tdb?.drop();
});

describe('a projector and the partition count of its database', () => {
  it('records its count on a database that has none and joins the fleet', async () => {
    const projector = await startProjector(testProjectorConfig(tdb.url, redis.prefix, 4), { logger });
    try {
      expect(await readPartitionCount(tdb.db)).toBe(4);
      expect(projector.partitions()).toEqual([0, 1, 2, 3]);
    } finally {
      await projector.stop();
    }
  });

  it('refuses to start with another count than the recorded one, before it joins the fleet or leases a partition', async () => {
    const error = await startRefusal(startProjector(testProjectorConfig(tdb.url, redis.prefix, 16), { logger }));
    expect(isLedgerflowError(error, 'PARTITION_COUNT_MISMATCH')).toBe(true);
    expect((error as Error).message).toContain('configured with 16 partitions (LEDGERFLOW_PARTITIONS), but the database records 4');
    expect((await lockHolders(tdb.db)).size).toBe(0);
    const members = await sql<{ n: string }>`select count(*) as n from projector_members`.execute(tdb.db);
    expect(Number(members.rows[0]!.n)).toBe(0);
  });

  it('follows the recorded count when LEDGERFLOW_PARTITIONS is unset', async () => {
    const unset = loadProjectorConfig({ DATABASE_URL: tdb.url, LEDGERFLOW_REDIS_PREFIX: redis.prefix, LOG_LEVEL: 'error', ...FAST_FLEET });
    expect(unset).toMatchObject({ partitions: 16, partitionsSet: false });
    const projector = await startProjector(unset, { logger });
    try {
      expect(projector.partitions()).toEqual([0, 1, 2, 3]);
      expect((await projector.readiness()).ready).toBe(true);
    } finally {
      await projector.stop();
    }
  });
});

