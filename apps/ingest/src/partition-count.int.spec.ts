import { isLedgerflowError } from '@ledgerflow/cdc-core';
import { readPartitionCount } from '@ledgerflow/sinks';
import { TEST_REDIS_URL, createTestDatabase, testRedisPrefix, type TestDatabase } from '@ledgerflow/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngest } from './ingest';
import { useRawJsonParsers } from './pg-json';
import { EventFactory, insertEvents, readJobs, slotState, testIngestConfig, testLogger } from './testing/fixtures';

let t: TestDatabase;
const redis = testRedisPrefix('ingest-partition-count');

beforeAll(async () => {
  useRawJsonParsers();
  t = await createTestDatabase('ingest_partition_count');
  await insertEvents(t.pool, new EventFactory(5).batch(20));
});

afterAll(async () => {
  await t?.drop();
  await redis.cleanup();
});

describe('ingest and the partition count of its database', () => {
  it('records its count on a database that has none, and refuses to start with another count afterwards, having enqueued nothing', async () => {
    const first = testIngestConfig(t.url, TEST_REDIS_URL, redis.prefix, { LEDGERFLOW_PARTITIONS: '4', LEDGERFLOW_SLOT: 'lf_partition_count_a' });
    const ingest = await startIngest(first, { logger: testLogger });
    await ingest.stop();
    expect(await readPartitionCount(t.db)).toBe(4);

    await redis.cleanup();
    const other = testIngestConfig(t.url, TEST_REDIS_URL, redis.prefix, { LEDGERFLOW_PARTITIONS: '8', LEDGERFLOW_SLOT: 'lf_partition_count_b' });
    const error = await startIngest(other, { logger: testLogger }).then(
      async (started) => {
        await started.stop();
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(isLedgerflowError(error, 'PARTITION_COUNT_MISMATCH')).toBe(true);
    expect((error as Error).message).toContain('configured with 8 partitions, but the database records 4');
    // Refused before anything else: no slot, no job in any of the eight queues it would have used.
    expect(await slotState(t.pool, 'lf_partition_count_b')).toBeUndefined();
    expect((await readJobs(TEST_REDIS_URL, redis.prefix, 8)).flat()).toEqual([]);
    expect(await readPartitionCount(t.db)).toBe(4);
  }, 60_000);
});
