import { partitionOf } from '@ledgerflow/cdc-core';
import { TEST_REDIS_URL, createTestDatabase, testRedisPrefix, type TestDatabase } from '@ledgerflow/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngest } from './ingest';
import { useRawJsonParsers } from './pg-json';
import { EventFactory, insertEvents, markRedisIntact, readJobs, storedEventIds, testIngestConfig, testLogger } from './testing/fixtures';

const PARTITIONS = 4;
let tdb: TestDatabase;
const redis = testRedisPrefix('ingest-catchup');
const extraPrefixes: ReturnType<typeof testRedisPrefix>[] = [];

beforeAll(async () => {
  useRawJsonParsers();
  tdb = await createTestDatabase('ingest_catchup');
  const factory = new EventFactory(60);
  for (let tx = 0; tx < 30; tx++) await insertEvents(tdb.pool, factory.batch(100));
});

afterAll(async () => {
  await tdb?.drop();
  await redis.cleanup();
  for (const p of extraPrefixes) await p.cleanup();
});

const config = (prefix: string) => testIngestConfig(tdb.url, TEST_REDIS_URL, prefix, { LEDGERFLOW_INGEST_CATCHUP_PAGE_SIZE: '500' });

async function catchUpState() {
  const { rows } = await tdb.pool.query<{ catchup_done: boolean; catchup_position: string }>('select catchup_done, catchup_position from ingest_state');
  return rows;
}

describe('catch-up', () => {
  it('enqueues every event stored before the first start, in per-stream order, to the right partition', async () => {
    const ingest = await startIngest(config(redis.prefix), { logger: testLogger });
    try {
      expect(ingest.counters).toMatchObject({ catchupEvents: 3000, eventsEnqueued: 3000 });
    } finally {
      await ingest.stop();
    }
    const queues = await readJobs(TEST_REDIS_URL, redis.prefix, PARTITIONS);
    const seen = new Set<string>();
    const lastVersion = new Map<string, number>();
    for (const [p, jobs] of queues.entries()) {
      for (const job of jobs) {
        expect(job.partition).toBe(p);
        for (const e of job.events) {
          expect(partitionOf(e.streamId, PARTITIONS)).toBe(p);
          expect(e.version).toBe((lastVersion.get(e.streamId) ?? 0) + 1);
          lastVersion.set(e.streamId, e.version);
          expect(JSON.parse(e.data)).toHaveProperty('accountId', e.streamId);
          seen.add(e.eventId);
        }
      }
    }
    expect(seen).toEqual(await storedEventIds(tdb.pool));
    const { rows } = await tdb.pool.query<{ max: string }>('select max(global_position)::text as max from events');
    expect(await catchUpState()).toEqual([{ catchup_done: true, catchup_position: rows[0]!.max }]);
  });

  it('resumes an interrupted catch-up from its recorded position', async () => {
    await tdb.pool.query(`update ingest_state set catchup_done = false, catchup_position = 2000`);
    const prefix = testRedisPrefix('ingest-catchup-resume');
    extraPrefixes.push(prefix);
    // As if this Redis held the first 2000 events: only catch-up may enqueue here, not a refill.
    await markRedisIntact(TEST_REDIS_URL, prefix.prefix);
    const ingest = await startIngest(config(prefix.prefix), { logger: testLogger });
    await ingest.stop();
    expect(ingest.counters).toMatchObject({ catchupEvents: 1000, refillEvents: 0, redisLosses: 0 });
    const positions = (await readJobs(TEST_REDIS_URL, prefix.prefix, PARTITIONS)).flat().flatMap((j) => j.events.map((e) => e.position));
    expect(positions.length).toBe(1000);
    expect(positions.every((p) => p > 2000n)).toBe(true);
  });

  it('starts over when the slot has to be created again, whatever ingest_state says', async () => {
    expect((await catchUpState())[0]?.catchup_done).toBe(true);
    const { rows } = await tdb.pool.query<{ slot_name: string }>('select slot_name from pg_replication_slots where database = current_database()');
    expect(rows).toHaveLength(1);
    await tdb.pool.query('select pg_drop_replication_slot($1)', [rows[0]!.slot_name]);
    const prefix = testRedisPrefix('ingest-catchup-recreate');
    extraPrefixes.push(prefix);
    const ingest = await startIngest(config(prefix.prefix), { logger: testLogger });
    await ingest.stop();
    // A fresh prefix, but catch-up from position 0 covers every event: no refill on top of it.
    expect(ingest.counters).toMatchObject({ catchupEvents: 3000, eventsEnqueued: 3000, redisLosses: 0 });
  });
});
