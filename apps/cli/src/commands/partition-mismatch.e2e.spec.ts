import { TEST_REDIS_URL, createTestDatabase, testRedisPrefix, type TestDatabase } from '@ledgerflow/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../testing/run-cli';

/** The apps as operators start them, on a database that records 4 partitions. */
const redis = testRedisPrefix('cli-partition-mismatch');
let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase('cli_partition_mismatch');
  await t.pool.query('insert into ledgerflow_partitioning (partitions) values (4)');
});
afterAll(async () => {
  await t?.drop();
  await redis.cleanup();
});

const env = (partitions: string) => ({
  DATABASE_URL: t.url,
  REDIS_URL: TEST_REDIS_URL,
  LEDGERFLOW_REDIS_PREFIX: redis.prefix,
  LEDGERFLOW_SLOT: 'lf_partition_mismatch',
  LEDGERFLOW_PARTITIONS: partitions,
  LEDGERFLOW_INGEST_OPS_PORT: '0',
  LEDGERFLOW_PROJECTOR_OPS_PORT: '0',
});

describe('an app started with another partition count than its database records', () => {
  for (const app of ['ingest', 'projector']) {
    it(`${app} exits 1 at once, saying why, having created nothing`, async () => {
      const run = await runCli(env('8'), [app]);
      expect(run.code).toBe(1);
      expect(run.stdout + run.stderr).toContain('PARTITION_COUNT_MISMATCH');
      expect(run.stdout + run.stderr).toContain('configured with 8 partitions (LEDGERFLOW_PARTITIONS), but the database records 4');
      const slots = await t.pool.query("select 1 from pg_replication_slots where slot_name = 'lf_partition_mismatch'");
      expect(slots.rowCount).toBe(0);
      const members = await t.pool.query('select 1 from projector_members');
      expect(members.rowCount).toBe(0);
    }, 60_000);
  }
});
