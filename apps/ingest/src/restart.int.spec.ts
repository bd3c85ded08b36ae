import { TEST_REDIS_URL, createTestDatabase, testRedisPrefix, waitFor, type TestDatabase } from '@ledgerflow/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestConfig } from './config';
import { startIngest, type IngestHandle } from './ingest';
import { parseLsn } from './lsn';
import { useRawJsonParsers } from './pg-json';
import { EventFactory, insertEvents, markRedisIntact, readJobs, slotState, storedEventIds, testIngestConfig, testLogger } from './testing/fixtures';

const PARTITIONS = 4;
let tdb: TestDatabase;
let config: IngestConfig;
const handles: IngestHandle[] = [];
const redis = testRedisPrefix('ingest-restart');
const redisAfterCrash = testRedisPrefix('ingest-restart-crash');

beforeAll(async () => {
  useRawJsonParsers();
  tdb = await createTestDatabase('ingest_restart');
  config = testIngestConfig(tdb.url, TEST_REDIS_URL, redis.prefix);
});

afterAll(async () => {
  for (const h of handles) await h.stop();
  await tdb?.drop();
  await redis.cleanup();
  await redisAfterCrash.cleanup();
});

async function start(overrides: Partial<IngestConfig> = {}, suppressAcks = false): Promise<IngestHandle> {
  const handle = await startIngest({ ...config, ...overrides }, { logger: testLogger, testHooks: { suppressAcks } });
  handles.push(handle);
  return handle;
}

/** Waits until no consumer holds the slot and returns its confirmed position. */
async function releasedSlot(): Promise<bigint> {
  const slot = await waitFor('slot released', async () => {
    const s = await slotState(tdb.pool, config.slotName);
    return s && !s.active ? s : undefined;
  });
  return parseLsn(slot.confirmedFlush);
}

async function eventIdsInJobs(prefix: string): Promise<Set<string>> {
  const jobs = (await readJobs(TEST_REDIS_URL, prefix, PARTITIONS)).flat();
  return new Set(jobs.flatMap((j) => j.events.map((e) => e.eventId)));
}

/** Inserts small transactions continuously until stopped. */
function continuousWriter(factory: EventFactory) {
  let running = true;
  let inserted = 0;
  const done = (async () => {
    while (running) {
      await insertEvents(tdb.pool, factory.batch(1 + (inserted % 3)));
      inserted++;
    }
  })();
  return {
    transactions: () => inserted,
    async stop() {
      running = false;
      await done;
    },
  };
}

describe('restarts', () => {
  it('loses nothing when ingest is stopped and restarted while events keep arriving, and moves the slot forward', async () => {
    const factory = new EventFactory(30);
    const first = await start();
    const createdAt = (await slotState(tdb.pool, config.slotName))!.confirmedFlush;
    const writer = continuousWriter(factory);
    await waitFor('first ingest busy', async () => first.counters.eventsEnqueued >= 300, 20_000, 10);
    await first.stop();
    const afterFirst = await releasedSlot();
    expect(afterFirst).toBeGreaterThan(parseLsn(createdAt));
    const writtenWhileDown = writer.transactions();
    await waitFor('writes while ingest is down', async () => writer.transactions() >= writtenWhileDown + 50, 20_000, 10);

    const second = await start();
    await waitFor('second ingest busy', async () => second.counters.eventsEnqueued >= 200, 20_000, 10);
    await writer.stop();
    const stored = await storedEventIds(tdb.pool);
    await waitFor('every stored event in a job', async () => (await eventIdsInJobs(redis.prefix)).size === stored.size, 20_000, 50);
    expect(await eventIdsInJobs(redis.prefix)).toEqual(stored);
    expect(second.counters.catchupEvents).toBe(0);
    await second.stop();
    expect(await releasedSlot()).toBeGreaterThan(afterFirst);
  });

  it('delivers again, from the slot, what a crashed ingest enqueued but never confirmed', async () => {
    const confirmedBefore = await releasedSlot();
    const crashing = await start({}, true);
    const factory = new EventFactory(10);
    for (let tx = 0; tx < 40; tx++) await insertEvents(tdb.pool, factory.batch(5));
    await waitFor('crashing ingest enqueued all', async () => crashing.counters.eventsEnqueued >= 200, 20_000, 10);
    expect(crashing.counters.lastAckedLsn).toBeNull();
    await crashing.stop();
    expect(await releasedSlot()).toBe(confirmedBefore);

    // A fresh Redis prefix, marked intact so that no refill runs: whatever it receives can only
    // come from the slot replaying.
    await markRedisIntact(TEST_REDIS_URL, redisAfterCrash.prefix);
    const recovered = await start({ redisPrefix: redisAfterCrash.prefix });
    await waitFor('replay enqueued', async () => recovered.counters.eventsEnqueued >= 200, 20_000, 10);
    const replayed = await eventIdsInJobs(redisAfterCrash.prefix);
    const { rows } = await tdb.pool.query<{ event_id: string }>(`select event_id from events where stream_id = any($1::uuid[])`, [factory.streams]);
    expect(rows).toHaveLength(200);
    for (const r of rows) expect(replayed.has(r.event_id)).toBe(true);
    expect(recovered.counters).toMatchObject({ catchupEvents: 0, refillEvents: 0, sessionRestarts: 0 });
    await recovered.stop();
    expect(await releasedSlot()).toBeGreaterThan(confirmedBefore);
  });
});
