import { isLedgerflowError } from '@ledgerflow/cdc-core';
import { readPartitionCount } from '@ledgerflow/sinks';
import { TEST_REDIS_URL, createTestDatabase, startRefusal, testRedisPrefix, type TestDatabase } from '@ledgerflow/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadIngestConfig } from './config';
import { startIngest } from './ingest';
import { agreeOnPartitions } from './partition-agreement';
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
    const error = await startRefusal(startIngest(other, { logger: testLogger }));
    expect(isLedgerflowError(error, 'PARTITION_COUNT_MISMATCH')).toBe(true);
    expect((error as Error).message).toContain('configured with 8 partitions (LEDGERFLOW_PARTITIONS), but the database records 4');
    // Refused before anything else: no slot, no job in any of the eight queues it would have used.
    expect(await slotState(t.pool, 'lf_partition_count_b')).toBeUndefined();
    expect((await readJobs(TEST_REDIS_URL, redis.prefix, 8)).flat()).toEqual([]);
    expect(await readPartitionCount(t.db)).toBe(4);
  }, 60_000);

  it('follows the database when LEDGERFLOW_PARTITIONS is unset, job budget included; refuses a count set otherwise', async () => {
    const signal = new AbortController().signal;
    const unset = loadIngestConfig({ DATABASE_URL: t.url, REDIS_URL: TEST_REDIS_URL, LEDGERFLOW_REDIS_PREFIX: redis.prefix });
    expect(unset).toMatchObject({ partitions: 16, maxJobsPerSecond: 1000 });
    const agreed = await agreeOnPartitions(unset, { logger: testLogger, signal });
    expect(agreed).toMatchObject({ partitions: 4, maxJobsPerSecond: 250 });
    const setOtherwise = testIngestConfig(t.url, TEST_REDIS_URL, redis.prefix, { LEDGERFLOW_PARTITIONS: '16' });
    const error = await agreeOnPartitions(setOtherwise, { logger: testLogger, signal }).catch((e: unknown) => e);
    expect(isLedgerflowError(error, 'PARTITION_COUNT_MISMATCH')).toBe(true);
  });

  it('checks the count it runs with at every session: an ingest built for 16 partitions is refused by a database recording 4', async () => {
    // Built without agreeing first (the default count, 16): its queues and budget are for 16.
    const unagreed = loadIngestConfig({ DATABASE_URL: t.url, REDIS_URL: TEST_REDIS_URL, LEDGERFLOW_REDIS_PREFIX: redis.prefix, LEDGERFLOW_SLOT: 'lf_partition_count_c' });
    const error = await startRefusal(startIngest(unagreed, { logger: testLogger }));
    expect(isLedgerflowError(error, 'PARTITION_COUNT_MISMATCH')).toBe(true);
    expect((error as Error).message).toContain('this process is running with 16 partitions, but the database records 4');
    expect(await slotState(t.pool, 'lf_partition_count_c')).toBeUndefined();
  });

  it('keeps trying while PostgreSQL cannot be reached, until stopped', async () => {
    const aborter = new AbortController();
    // Nothing listens on port 1: every attempt fails to connect.
    const unreachable = testIngestConfig('postgres://postgres@127.0.0.1:1/nowhere', TEST_REDIS_URL, redis.prefix, { LEDGERFLOW_INGEST_RETRY_INITIAL_MS: '20', LEDGERFLOW_INGEST_RETRY_MAX_MS: '40' });
    const warnings: unknown[] = [];
    const logger = Object.assign(Object.create(testLogger) as typeof testLogger, { warn: (o: unknown) => warnings.push(o) });
    const agreeing = agreeOnPartitions(unreachable, { logger, signal: aborter.signal });
    await new Promise((r) => setTimeout(r, 500));
    aborter.abort();
    expect(await agreeing).toBeUndefined();
    expect(warnings.length).toBeGreaterThanOrEqual(2);
  });
});

