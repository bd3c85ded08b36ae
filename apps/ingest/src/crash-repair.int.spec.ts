import { crashMarkerPresent, createDb, migrateToLatest } from '@ledgerflow/sinks';
import { TEST_REDIS_URL, startPrivatePostgres, testRedisPrefix, waitFor, type PrivatePostgres } from '@ledgerflow/testkit';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Instruments } from '@ledgerflow/metrics';
import { startIngest, type IngestHandle } from './ingest';
import { IngestMetrics } from './ingest-metrics';
import { useRawJsonParsers } from './pg-json';
import { EventFactory, insertEvents, readJobs, storedEventIds, testIngestConfig, testLogger, type ReadJob } from './testing/fixtures';

const PARTITIONS = 4;
let server: PrivatePostgres;
let url: string;
let ingest: IngestHandle | undefined;
const fatal: Error[] = [];
const redis = testRedisPrefix('ingest-crash-repair');
const factory = new EventFactory(20);
/** The refills the ingest reported to its metrics (every other instrument call is ignored). */
const refillMetrics: unknown[] = [];
const instruments = new Proxy({}, { get: (_, key) => ({ add: (_v: number, a: unknown) => key === 'ingestRefills' && refillMetrics.push(a), record: () => undefined }) }) as Instruments;

beforeAll(async () => {
  useRawJsonParsers();
  // A server of this file's own: crashing it cannot hurt other test files.
  server = await startPrivatePostgres();
  const admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
  await admin.query('create database ingest_crash_repair');
  await admin.end();
  const u = new URL(server.adminUrl);
  u.pathname = '/ingest_crash_repair';
  url = u.toString();
  const migrated = await withPool((pool) => migrateToLatest(createDb(pool) as Kysely<unknown>));
  if (migrated.error) throw migrated.error;
  const config = testIngestConfig(url, TEST_REDIS_URL, redis.prefix, { LEDGERFLOW_INGEST_RETRY_INITIAL_MS: '100', LEDGERFLOW_INGEST_RETRY_MAX_MS: '1000' });
  ingest = await startIngest(config, { logger: testLogger, onFatal: (e) => fatal.push(e), metrics: new IngestMetrics({ partitions: PARTITIONS, instruments }) });
}, 60_000);

afterAll(async () => {
  await ingest?.stop();
  server?.destroy();
  await redis.cleanup();
});

/** Runs `work` on a pool opened now: connections opened before a restart died with the server. */
async function withPool<T>(work: (pool: pg.Pool) => Promise<T>): Promise<T> {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  // A connection ending while the server stops must not crash the test run.
  pool.on('error', () => undefined);
  try {
    return await work(pool);
  } finally {
    await pool.end();
  }
}

const jobs = async (): Promise<ReadJob[]> => (await readJobs(TEST_REDIS_URL, redis.prefix, PARTITIONS)).flat();
const repairJobs = (all: readonly ReadJob[]) => all.filter((j) => /-c[0-9a-z]+$/.test(j.id));
const eventIds = (js: readonly ReadJob[]) => new Set(js.flatMap((j) => j.events.map((e) => e.eventId)));

/** Appends events and waits until they are in jobs: the session streams (so its start-up checks ran). */
async function appendAndAwaitStreamed(count: number): Promise<void> {
  const batch = factory.batch(count);
  await withPool((pool) => insertEvents(pool, batch));
  const stored = await withPool(storedEventIds);
  await waitFor('every stored event in a job', async () => {
    const enqueued = eventIds(await jobs());
    return [...stored].every((id) => enqueued.has(id));
  }, 30_000, 50);
}

// No projector runs here: every event stays unapplied, and its streamed job stays in Redis under
// the id a repair would give it without a suffix.
describe('crash repair (decision 015)', () => {
  it('a clean restart repairs nothing: the crash marker survives it', async () => {
    await appendAndAwaitStreamed(30);
    const restarts = ingest!.counters.sessionRestarts;
    server.restart();
    await waitFor('a session restart', async () => ingest!.counters.sessionRestarts > restarts, 20_000, 20);
    await appendAndAwaitStreamed(10);
    expect(ingest!.counters.postgresCrashes).toBe(0);
    expect(repairJobs(await jobs())).toEqual([]);
  }, 60_000);

  it('after a crash, every unapplied event is enqueued again under new job ids, though its streamed job is still in Redis', async () => {
    const streamed = await jobs();
    expect(repairJobs(streamed)).toEqual([]);
    server.crash();
    await waitFor('a crash repair', async () => ingest!.counters.crashRepairs >= 1, 30_000, 50);
    expect(ingest!.counters.postgresCrashes).toBe(1);
    const stored = await withPool(storedEventIds);
    const repaired = eventIds(repairJobs(await jobs()));
    expect(stored.size).toBe(40);
    expect([...stored].filter((id) => !repaired.has(id))).toEqual([]);
    // The streamed jobs are all still there: the repair added to them, nothing was deduped away.
    const streamedIds = new Set(streamed.map((j) => j.id));
    expect((await jobs()).filter((j) => streamedIds.has(j.id))).toHaveLength(streamed.length);
    expect(await withPool((pool) => crashMarkerPresent(createDb(pool)))).toBe(true);
    expect(refillMetrics).toEqual([{ cause: 'postgres_crash' }]);
    expect(fatal).toEqual([]);
  }, 60_000);
});
