import { randomUUID } from 'node:crypto';
import { readPartitionCount } from '@ledgerflow/sinks';
import { TEST_REDIS_URL, createTestDatabase, testRedisPrefix, type TestDatabase } from '@ledgerflow/testkit';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../testing/run-cli';

/** `ledgerflow partitions …` through the real binary, on a test database and Redis prefix. */
const redis = testRedisPrefix('cli-partitions');
let t: TestDatabase;

const ledgerflow = (...args: string[]) => runCli({ DATABASE_URL: t.url, REDIS_URL: TEST_REDIS_URL, LEDGERFLOW_REDIS_PREFIX: redis.prefix, LEDGERFLOW_PARTITIONS: '16' }, args);

beforeAll(async () => {
  t = await createTestDatabase('cli_partitions');
});
afterAll(async () => {
  await t?.drop();
  await redis.cleanup();
});

describe('ledgerflow partitions', () => {
  it('says when no count is recorded, then records the first one it is given', async () => {
    const shown = await ledgerflow('partitions');
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('no partition count recorded yet: the first ingest or projector to start records its own (LEDGERFLOW_PARTITIONS here: 16)');
    const set = await ledgerflow('partitions', 'set', '4');
    expect(set).toMatchObject({ code: 0 });
    expect(set.stdout).toContain('partition count (none) → 4');
    expect(await readPartitionCount(t.db)).toBe(4);
    const again = await ledgerflow('partitions');
    expect(again.stdout).toContain('4 partitions recorded; LEDGERFLOW_PARTITIONS here is 16');
    const unset = await runCli({ DATABASE_URL: t.url, LEDGERFLOW_PARTITIONS: '' }, ['partitions']);
    expect(unset.stdout).toContain('4 partitions recorded (ingest and projectors without LEDGERFLOW_PARTITIONS follow it)');
  }, 60_000);

  it('refuses to change the count while a queue of either count holds a job, a projector lives or an account is parked', async () => {
    // A job in p6: a queue of the new count (8), beyond the old one (4).
    const connection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue('p6', { connection, prefix: redis.prefix });
    await queue.add('batch', { any: 'thing' });
    const queued = await ledgerflow('partitions', 'set', '8');
    expect(queued.code).toBe(1);
    expect(queued.stderr).toContain('1 jobs are still queued (p6: 1)');
    // Failed, the job is never processed again: it no longer holds the change back.
    const worker = new Worker('p6', null, { connection, prefix: redis.prefix });
    const job = await worker.getNextJob('test-token');
    await job!.moveToFailed(new Error('given up'), 'test-token');
    await worker.close();
    await queue.close();
    connection.disconnect();

    await t.pool.query(`insert into projector_members (member_id, host, os_pid, partitions) values ('member-a', 'h', 1, '{0,1,2,3}')`);
    const member = await ledgerflow('partitions', 'set', '8');
    expect(member.code).toBe(1);
    expect(member.stderr).toContain('projectors are running (member-a)');
    expect(member.stderr).not.toContain('jobs are still queued');
    // A member silent for longer than a minute crashed: its row does not hold the change back.
    await t.pool.query(`update projector_members set heartbeat_at = now() - interval '61 seconds'`);

    const account = randomUUID();
    await t.pool.query(
      `insert into parked_accounts (account_id, partition, code, message, details, failed_event_id, failed_version) values ($1::uuid, 2, 'EVENT_DATA_INVALID', 'test', '{}'::jsonb, $2::uuid, 1)`,
      [account, randomUUID()],
    );
    const parked = await ledgerflow('partitions', 'set', '8');
    expect(parked.code).toBe(1);
    expect(parked.stderr).toContain('1 accounts are parked');
    expect(parked.stderr).not.toContain('projectors are running');
    expect(await readPartitionCount(t.db)).toBe(4);

    await t.pool.query('delete from parked_accounts');
    const drained = await ledgerflow('partitions', 'set', '8', '--json');
    expect(drained.code).toBe(0);
    expect(JSON.parse(drained.stdout)).toEqual({ requested: 8, previous: 4, changed: true, refusals: [] });
    expect(await readPartitionCount(t.db)).toBe(8);
  }, 60_000);

  it('rejects a malformed command line with usage (exit 2)', async () => {
    for (const args of [['set'], ['set', '0'], ['set', '1025'], ['set', 'four'], ['frob'], ['set', '4', 'extra']]) {
      const run = await ledgerflow('partitions', ...args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toContain('Usage: ledgerflow partitions');
    }
  }, 60_000);
});
