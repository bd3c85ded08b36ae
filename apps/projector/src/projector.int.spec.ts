import { randomUUID } from 'node:crypto';
import { batchJobId, encodeBatch, planPartitionBatches, partitionOf, partitionQueueName, type PartitionBatch, type StoredEvent } from '@ledgerflow/cdc-core';
import { verifyReadModels } from '@ledgerflow/sinks';
import { TEST_REDIS_URL, createTestDatabase, testRedisPrefix, waitFor, type TestDatabase } from '@ledgerflow/testkit';
import { Queue, type JobsOptions } from 'bullmq';
import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProjectorConfig, type ProjectorConfig } from './config';
import { startProjector, type Projector } from './projector';
import { accountRow, allEvents, appendEvents, closed, created, deposited, withdrawn, type EventSpec } from './testing/ledger-fixtures';

const P = 4;
const redis = testRedisPrefix('projector');
let tdb: TestDatabase;
let config: ProjectorConfig;
let queues: Queue[] = [];
const running: Projector[] = [];
const logger = pino({ level: 'silent' });

/** What ingest puts on a job (attempts and backoff are its to choose; the projector relies on them). */
const jobOptions = (jobId: string): JobsOptions => ({
  jobId,
  attempts: 10,
  backoff: { type: 'exponential', delay: 100 },
  removeOnComplete: { age: 3600 },
  removeOnFail: { age: 3600 },
});

async function enqueue(events: readonly StoredEvent[], eventsPerJob = 20): Promise<PartitionBatch[]> {
  const batches = planPartitionBatches(events, P, eventsPerJob);
  for (const b of batches) await queues[b.partition]!.add('batch', encodeBatch(b, Date.now()), jobOptions(batchJobId(b)));
  return batches;
}

async function start(partitions?: number[], withConfig: ProjectorConfig = config): Promise<Projector> {
  const projector = await startProjector(withConfig, partitions ? { logger, partitions } : { logger });
  running.push(projector);
  return projector;
}

async function jobCounts(partition: number) {
  return queues[partition]!.getJobCounts('wait', 'active', 'delayed', 'completed', 'failed');
}

async function eventsApplied(): Promise<number> {
  const r = await sql<{ n: string }>`select coalesce(sum(events_applied), 0)::text as n from projection_checkpoints`.execute(tdb.db);
  return Number(r.rows[0]!.n);
}

/** Waits until the read models equal the fold of the event store and every event was applied once. */
async function waitUntilProjected(expectedEvents: number): Promise<void> {
  await waitFor(
    'read models to match the event store',
    async () => (await eventsApplied()) === expectedEvents && (await verifyReadModels(tdb.db)).total === 0,
    30_000,
    200,
  );
}

/** Appends `rounds` events per account round-robin, so every job mixes accounts and interleaves positions. */
async function appendRoundRobin(accounts: readonly string[], script: (id: string, round: number) => EventSpec | undefined, rounds: number): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    for (const id of accounts) {
      const spec = script(id, round);
      if (spec) await appendEvents(tdb.db, id, [spec]);
    }
  }
}

/** A random account id on the given partition. */
function accountOn(partition: number): string {
  for (;;) {
    const id = randomUUID();
    if (partitionOf(id, P) === partition) return id;
  }
}

/** `n` random account ids, the same number on every partition. */
function accountsOnEveryPartition(n: number): string[] {
  const perPartition = Array.from({ length: P }, () => [] as string[]);
  while (perPartition.some((ids) => ids.length < n / P)) {
    const id = randomUUID();
    const ids = perPartition[partitionOf(id, P)]!;
    if (ids.length < n / P) ids.push(id);
  }
  return perPartition.flat().sort();
}

const lifecycle = (id: string, round: number): EventSpec | undefined =>
  [created(id), deposited(id, '10.00'), withdrawn(id, '5.00'), deposited(id, '2.50'), id < '4' ? closed(id) : withdrawn(id, '0.01')][round];

beforeAll(async () => {
  tdb = await createTestDatabase('projector_queue');
  config = loadProjectorConfig({
    DATABASE_URL: tdb.url,
    REDIS_URL: TEST_REDIS_URL,
    LEDGERFLOW_PARTITIONS: String(P),
    LEDGERFLOW_REDIS_PREFIX: redis.prefix,
    // Generous, so that jobs already queued at start are sure to share a transaction.
    LEDGERFLOW_PROJECTOR_FLUSH_MS: '1000',
    LEDGERFLOW_PROJECTOR_HEARTBEAT_MS: '200',
    LEDGERFLOW_PROJECTOR_MEMBER_TIMEOUT_MS: '2000',
    LEDGERFLOW_PROJECTOR_REBALANCE_MS: '200',
    LOG_LEVEL: 'error',
  });
  queues = Array.from({ length: P }, (_, p) => new Queue(partitionQueueName(p), { connection: { url: TEST_REDIS_URL }, prefix: redis.prefix }));
});

afterAll(async () => {
  await Promise.allSettled(running.map((p) => p.stop()));
  await Promise.allSettled(queues.map((q) => q.close()));
  await redis.cleanup();
  await tdb?.drop();
});

describe('projector over BullMQ', () => {
  it('projects queued and live jobs exactly once, on the partitions it is given', async () => {
    const accounts = accountsOnEveryPartition(32);
    await appendRoundRobin(accounts, lifecycle, 5);
    const events = await allEvents(tdb.db);
    const batches = await enqueue(events);
    // Redelivery: the same batch again under another job id (a replay ingest could not dedupe).
    const again = batches.find((b) => b.partition === 0)!;
    await queues[0]!.add('batch', encodeBatch(again, Date.now()), jobOptions(`${batchJobId(again)}-again`));
    const jobsOf = (p: number) => batches.filter((b) => b.partition === p).length + (p === 0 ? 1 : 0);

    const first = await start([0, 1, 2]);
    await waitFor('partitions 0-2 to drain', async () => {
      const counts = await Promise.all([0, 1, 2].map(jobCounts));
      return counts.every((c, p) => c['completed'] === jobsOf(p));
    });
    await first.stop();
    expect(await jobCounts(3)).toMatchObject({ wait: jobsOf(3), completed: 0 });
    const p3Accounts = accounts.filter((id) => partitionOf(id, P) === 3);
    expect(p3Accounts).toHaveLength(8);
    for (const id of p3Accounts) expect(await accountRow(tdb.db, id)).toBeUndefined();
    const s1 = first.stats();
    expect(s1.jobs).toBe(jobsOf(0) + jobsOf(1) + jobsOf(2));
    expect(s1.duplicates).toBe(again.events.length);
    expect(s1.batches).toBeLessThan(s1.jobs); // jobs waiting at start share transactions
    expect(s1.rolledBack).toBe(0);

    const second = await start();
    await waitUntilProjected(events.length);
    expect(second.stats()).toMatchObject({ jobs: jobsOf(3), applied: events.length - s1.applied, duplicates: 0, failures: 0 });

    // Live: new accounts and more events for old ones while the projector runs.
    const newcomers = Array.from({ length: 5 }, () => randomUUID());
    const before = (await allEvents(tdb.db)).at(-1)!.position;
    await appendRoundRobin(newcomers, lifecycle, 3);
    // (accounts from '4' on are still open: see lifecycle)
    for (const id of accounts.filter((x) => x >= '4').slice(0, 5)) await appendEvents(tdb.db, id, [deposited(id, '1.00')]);
    const live = (await allEvents(tdb.db)).filter((e) => e.position > before);
    await enqueue(live, 3);
    await waitUntilProjected(events.length + live.length);

    for (let p = 0; p < P; p++) expect(await jobCounts(p)).toMatchObject({ wait: 0, active: 0, delayed: 0, failed: 0 });
    await second.stop();
  });

  it('rolls a batch back on a connection failure and lets BullMQ retry it', async () => {
    // Every batch through its own partition connection (no write rounds): that is the connection that fails.
    const projector = await start(undefined, { ...config, writers: 0 });
    const id = randomUUID();
    const appliedBefore = await eventsApplied();
    const locker = await tdb.pool.connect();
    try {
      // Writes to the read model block until we let go; reads go through.
      await locker.query('begin');
      await locker.query('lock table account_projections in share row exclusive mode');
      await appendEvents(tdb.db, id, [created(id), deposited(id, '3.00')]);
      const [batch] = await enqueue((await allEvents(tdb.db)).filter((e) => e.streamId === id));
      const blocked = await waitFor('the projector to wait on the lock', async () => {
        // Not on `locker`: inside its transaction pg_stat_activity is a frozen snapshot.
        const r = await sql<{ pid: number }>`select pid from pg_stat_activity
          where application_name like 'lf-projector:%' and wait_event_type = 'Lock' and datname = current_database()`.execute(tdb.db);
        return r.rows[0]?.pid;
      });
      await locker.query('select pg_terminate_backend($1)', [blocked]);
      await waitFor('the rollback to be counted', async () => projector.stats().rolledBack >= 1);
      await locker.query('commit');

      await waitFor('the retried job to complete', async () => (await queues[batch!.partition]!.getJobState(batchJobId(batch!))) === 'completed');
      const job = await queues[batch!.partition]!.getJob(batchJobId(batch!));
      expect(job!.attemptsMade).toBeGreaterThanOrEqual(1);
      expect(await accountRow(tdb.db, id)).toMatchObject({ balance: '103.00', version: 2 });
      expect(await eventsApplied()).toBe(appliedBefore + 2);
      expect((await verifyReadModels(tdb.db)).total).toBe(0);
    } finally {
      await locker.query('rollback').catch(() => undefined);
      locker.release();
    }
    await projector.stop();
  });

  it("redoes a write round's batches alone when the writer connection fails, then writes rounds again on a new one", async () => {
    const projector = await start();
    const [id, later] = [randomUUID(), randomUUID()];
    const locker = await tdb.pool.connect();
    let writerPid: number | undefined;
    try {
      await locker.query('begin');
      await locker.query('lock table account_projections in share row exclusive mode');
      await appendEvents(tdb.db, id, [created(id), deposited(id, '3.00')]);
      const [batch] = await enqueue((await allEvents(tdb.db)).filter((e) => e.streamId === id));
      writerPid = await waitFor('the round to wait on the lock', async () => {
        const r = await sql<{ pid: number }>`select pid from pg_stat_activity
          where application_name like 'lf-projector:%' and wait_event_type = 'Lock' and datname = current_database()`.execute(tdb.db);
        return r.rows[0]?.pid;
      });
      await locker.query('select pg_terminate_backend($1)', [writerPid]);
      // The batch goes again alone, through its partition connection, which waits on the lock in turn.
      await waitFor('the batch to wait alone', async () => {
        const r = await sql<{ pid: number }>`select pid from pg_stat_activity
          where application_name like 'lf-projector:%' and wait_event_type = 'Lock' and datname = current_database()`.execute(tdb.db);
        return r.rows[0] !== undefined && r.rows[0].pid !== writerPid;
      });
      await locker.query('commit');
      await waitFor('the job to complete', async () => (await queues[batch!.partition]!.getJobState(batchJobId(batch!))) === 'completed');
      const job = await queues[batch!.partition]!.getJob(batchJobId(batch!));
      expect(job!.attemptsMade).toBe(1); // completed on its first delivery: no BullMQ retry was needed
      expect(projector.stats().rolledBack).toBe(0);
      expect(await accountRow(tdb.db, id)).toMatchObject({ balance: '103.00', version: 2 });
    } finally {
      await locker.query('rollback').catch(() => undefined);
      locker.release();
    }
    // Later batches go through a round again, on a new writer session.
    await appendEvents(tdb.db, later, [created(later)]);
    await enqueue((await allEvents(tdb.db)).filter((e) => e.streamId === later));
    await waitFor('the later account to be projected', async () => (await accountRow(tdb.db, later))?.version === 1);
    const writers = await sql<{ pid: number }>`select pid from pg_stat_activity where application_name like 'lf-projector:%' and datname = current_database()`.execute(tdb.db);
    expect(writers.rows.map((r) => r.pid)).not.toContain(writerPid);
    expect((await verifyReadModels(tdb.db)).total).toBe(0);
    await projector.stop();
  });

  it('fails unreadable jobs at once and keeps a bad job from taking the jobs it was batched with down', async () => {
    const healthy = accountOn(0);
    await appendEvents(tdb.db, healthy, [created(healthy), deposited(healthy, '4.00')]);
    const [good] = await enqueue((await allEvents(tdb.db)).filter((e) => e.streamId === healthy));
    const q = queues[0]!;
    await q.add('batch', { v: 99, garbage: true }, jobOptions('unreadable'));
    // Decodes, but its timestamp makes the write fail for good (22007): not retryable.
    const ghost = accountOn(0);
    const bad: StoredEvent = {
      position: 999_999_999n,
      eventId: randomUUID(),
      streamId: ghost,
      version: 1,
      type: 'AccountCreated',
      data: JSON.stringify(created(ghost).data),
      metadata: '{}',
      createdAt: 'not a timestamp',
    };
    await q.add('batch', encodeBatch({ partition: 0, events: [bad] }, Date.now()), { ...jobOptions('doomed'), attempts: 2, backoff: { type: 'fixed', delay: 50 } });
    const appliedBefore = await eventsApplied();

    const projector = await start([0]);
    await waitFor('every job to settle', async () => {
      const states = await Promise.all([batchJobId(good!), 'unreadable', 'doomed'].map((id) => q.getJobState(id)));
      return states.join() === 'completed,failed,failed';
    });
    await projector.stop();

    expect(projector.stats()).toMatchObject({ invalidJobs: 1 });
    expect((await q.getJob('unreadable'))!.attemptsMade).toBeLessThanOrEqual(1);
    expect((await q.getJob('doomed'))!.attemptsMade).toBe(2);
    expect(await accountRow(tdb.db, healthy)).toMatchObject({ balance: '104.00', version: 2 });
    expect(await accountRow(tdb.db, ghost)).toBeUndefined();
    expect(await eventsApplied()).toBe(appliedBefore + 2);
    expect((await verifyReadModels(tdb.db)).total).toBe(0);
  });
});
