import { randomBytes } from 'node:crypto';
import { partitionOf } from '@ledgerflow/cdc-core';
import { createTestDatabase, startPrivateRedis, waitFor, type PrivateRedis, type TestDatabase } from '@ledgerflow/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestConfig } from './config';
import { startIngest, type IngestHandle } from './ingest';
import { useRawJsonParsers } from './pg-json';
import { isRefillMarker, sentinelKey } from './sentinel';
import { EventFactory, insertEvents, readJobs, storedEventIds, testIngestConfig, testLogger } from './testing/fixtures';

const PARTITIONS = 4;
// The prefix lives on a Redis server of this file's own, killed at the end: no cleanup needed.
const prefix = `lftest-redis-loss-${randomBytes(4).toString('hex')}`;
let redis: PrivateRedis;
let tdb: TestDatabase;
let ingest: IngestHandle;
let config: IngestConfig;
const fatal: Error[] = [];
const factory = new EventFactory(30);

beforeAll(async () => {
  useRawJsonParsers();
  redis = await startPrivateRedis();
  tdb = await createTestDatabase('ingest_redis_loss');
  for (let tx = 0; tx < 30; tx++) await insertEvents(tdb.pool, factory.batch(10));
  config = testIngestConfig(tdb.url, redis.url, prefix, {
    LEDGERFLOW_INGEST_RETRY_INITIAL_MS: '100',
    LEDGERFLOW_INGEST_RETRY_MAX_MS: '1000',
    LEDGERFLOW_INGEST_REDIS_CHECK_MS: '200',
    // Several refill pages per loss.
    LEDGERFLOW_INGEST_CATCHUP_PAGE_SIZE: '100',
  });
  ingest = await startIngest(config, { logger: testLogger, onFatal: (e) => fatal.push(e) });
});

afterAll(async () => {
  await ingest?.stop();
  await tdb?.drop();
  await redis?.stop();
});

async function redisCommand<T>(fn: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  try {
    return await fn(client);
  } finally {
    client.disconnect();
  }
}

async function enqueuedEventIds(): Promise<Set<string>> {
  const jobs = (await readJobs(redis.url, prefix, PARTITIONS)).flat();
  for (const job of jobs) for (const e of job.events) expect(partitionOf(e.streamId, PARTITIONS)).toBe(job.queue);
  return new Set(jobs.flatMap((j) => j.events.map((e) => e.eventId)));
}

/** Waits until every stored event is in a job. */
async function waitForEveryStoredEvent(what: string): Promise<void> {
  const stored = await storedEventIds(tdb.pool);
  await waitFor(what, async () => {
    const enqueued = await enqueuedEventIds();
    return [...stored].every((id) => enqueued.has(id));
  }, 30_000, 100);
}

async function insertSome(transactions: number): Promise<void> {
  for (let tx = 0; tx < transactions; tx++) await insertEvents(tdb.pool, factory.batch(5));
}

describe('Redis losing its keys', () => {
  it('refills every unapplied event after a FLUSHALL, while streaming goes on', async () => {
    await insertSome(20);
    await waitForEveryStoredEvent('catch-up and stream enqueued');
    expect(ingest.counters).toMatchObject({ redisLosses: 0, refills: 0 });
    await redisCommand((c) => c.flushall());
    await insertSome(10);
    await waitFor('a refill', async () => ingest.counters.refills >= 1, 20_000, 20);
    await waitForEveryStoredEvent('every event back in the queues');
    expect(ingest.counters.redisLosses).toBe(1);
    expect(ingest.counters.refillEvents).toBeGreaterThanOrEqual(400);
    const sentinel = await redisCommand((c) => c.get(sentinelKey(prefix)));
    expect(sentinel !== null && !isRefillMarker(sentinel)).toBe(true);
  });

  it('refills only the events the read models have not applied', async () => {
    const { rows } = await tdb.pool.query<{ event_id: string; stream_id: string; version: number }>('select event_id, stream_id, version from events');
    const maxVersion = new Map<string, number>();
    for (const r of rows) maxVersion.set(r.stream_id, Math.max(r.version, maxVersion.get(r.stream_id) ?? 0));
    // A third of the accounts applied half-way, one fully, the rest not at all.
    const applied = new Map<string, number>();
    [...maxVersion].forEach(([stream, max], i) => {
      if (i === 0) applied.set(stream, max);
      else if (i % 3 === 0) applied.set(stream, Math.max(1, Math.floor(max / 2)));
    });
    for (const [stream, version] of applied) {
      await tdb.pool.query(
        `insert into account_projections (account_id, owner_name, balance, status, version, last_position, created_at, updated_at)
         values ($1, 'x', 0, 'active', $2, 0, now(), now())`,
        [stream, version],
      );
    }
    const refillsBefore = ingest.counters.refills;
    await redisCommand((c) => c.flushall());
    await waitFor('a refill', async () => ingest.counters.refills > refillsBefore, 20_000, 20);
    const expected = new Set(rows.filter((r) => r.version > (applied.get(r.stream_id) ?? 0)).map((r) => r.event_id));
    expect(expected.size).toBeLessThan(rows.length);
    expect(await enqueuedEventIds()).toEqual(expected);
    await tdb.pool.query('delete from account_projections');
  });

  it('refills after Redis restarts empty', async () => {
    const lossesBefore = ingest.counters.redisLosses;
    await redis.stop();
    await redis.start();
    await insertSome(10);
    await waitFor('the loss noticed', async () => ingest.counters.redisLosses > lossesBefore, 20_000, 20);
    await waitForEveryStoredEvent('every event back in the queues');
    expect(fatal).toEqual([]);
  });

  it('rides out Redis being unreachable: confirms nothing meanwhile, retries, then refills', async () => {
    const restartsBefore = ingest.counters.sessionRestarts;
    const acked = ingest.counters.lastAckedLsn;
    await redis.stop();
    await insertSome(10);
    // The producer's pending enqueue gives up after ioredis's retries; the session restarts.
    await waitFor('an enqueue failure and a session restart', async () => ingest.counters.sessionRestarts > restartsBefore, 40_000, 50);
    expect(ingest.counters.lastAckedLsn).toBe(acked);
    await redis.start();
    await waitForEveryStoredEvent('every event in the queues again');
    expect(fatal).toEqual([]);
  });

  it('refills at start-up when Redis lost its keys while ingest was down', async () => {
    await ingest.stop();
    await redisCommand((c) => c.flushall());
    await insertSome(5);
    ingest = await startIngest(config, { logger: testLogger, onFatal: (e) => fatal.push(e) });
    await waitFor('a refill', async () => ingest.counters.refills >= 1, 20_000, 20);
    // Nothing is applied: the refill alone re-enqueues every event stored before the restart.
    expect(ingest.counters).toMatchObject({ redisLosses: 1, catchupEvents: 0 });
    await waitForEveryStoredEvent('every event back in the queues');
    expect(fatal).toEqual([]);
  });
});
