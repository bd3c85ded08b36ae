import { randomUUID } from 'node:crypto';
import { partitionOf } from '@ledgerflow/cdc-core';
import { TEST_REDIS_URL, createTestDatabase, testRedisPrefix, waitFor, type TestDatabase } from '@ledgerflow/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngest, type IngestHandle } from './ingest';
import { useRawJsonParsers } from './pg-json';
import { EventFactory, insertEvents, readJobs, slotState, storedEventIds, testIngestConfig, testLogger } from './testing/fixtures';

const PARTITIONS = 4;
let tdb: TestDatabase;
let ingest: IngestHandle | undefined;
const redis = testRedisPrefix('ingest-stream');

beforeAll(async () => {
  useRawJsonParsers();
  tdb = await createTestDatabase('ingest_stream');
});

afterAll(async () => {
  await ingest?.stop();
  await tdb?.drop();
  await redis.cleanup();
});

describe('streaming', () => {
  it('enqueues events committed while running to their partition queue, each stream in version order', async () => {
    const config = testIngestConfig(tdb.url, TEST_REDIS_URL, redis.prefix);
    ingest = await startIngest(config, { logger: testLogger });
    let total = 0;
    // Many small transactions from a few concurrent writers, so commits interleave; some
    // transactions touch several accounts (like a transfer). Each writer owns its accounts, as
    // the write side's per-account lock guarantees: one account's versions commit in order.
    await Promise.all(
      [0, 1, 2, 3].map(async () => {
        const factory = new EventFactory(10);
        for (let tx = 0; tx < 60; tx++) {
          const events = factory.batch(1 + (tx % 4));
          total += events.length;
          await insertEvents(tdb.pool, events);
        }
      }),
    );
    await waitFor('every event enqueued', async () => ingest!.counters.eventsEnqueued >= total, 20_000, 20);
    expect(ingest.counters).toMatchObject({ eventsRead: total, eventsEnqueued: total, catchupEvents: 0, transactions: 240 });

    const queues = await readJobs(TEST_REDIS_URL, redis.prefix, PARTITIONS);
    const seen = new Set<string>();
    const lastVersion = new Map<string, number>();
    for (const [p, jobs] of queues.entries()) {
      for (const job of jobs) {
        expect(job.partition).toBe(p);
        for (const e of job.events) {
          expect(partitionOf(e.streamId, PARTITIONS)).toBe(p);
          // Exactly the next version: in order, no gap, no duplicate.
          expect(e.version).toBe((lastVersion.get(e.streamId) ?? 0) + 1);
          lastVersion.set(e.streamId, e.version);
          expect(e.committedAtMs).toBeGreaterThan(Date.now() - 60_000);
          seen.add(e.eventId);
        }
      }
    }
    expect(seen).toEqual(await storedEventIds(tdb.pool));
  });

  it('counts an update of events and enqueues nothing for it', async () => {
    const before = ingest!.counters;
    await tdb.pool.query(`update events set metadata = '{"fixed": true}' where global_position = (select min(global_position) from events)`);
    await tdb.pool.query(`insert into events (event_id, stream_id, version, type, data) values ($1, $2, 1, 'AccountCreated', $3)`, [
      randomUUID(),
      randomUUID(),
      JSON.stringify({ accountId: randomUUID(), ownerName: 'x', initialBalance: '0.00' }),
    ]);
    await waitFor('the insert after the update', async () => ingest!.counters.eventsEnqueued === before.eventsEnqueued + 1, 10_000, 20);
    expect(ingest!.counters.nonInsertChanges).toBe(before.nonInsertChanges + 1);
    expect(ingest!.counters.eventsRead).toBe(before.eventsRead + 1);
  });

  it('confirms exactly the end of the last flushed commit to the slot', async () => {
    const slotName = testIngestConfig(tdb.url, TEST_REDIS_URL, redis.prefix).slotName;
    const acked = ingest!.counters.lastAckedLsn;
    expect(acked).not.toBeNull();
    await ingest!.stop();
    ingest = undefined;
    const slot = await waitFor('slot released', async () => {
      const s = await slotState(tdb.pool, slotName);
      return s && !s.active ? s : undefined;
    });
    expect(slot.confirmedFlush).toBe(acked);
  });

  it('answers server keepalives, so an idle stream outlives wal_sender_timeout', async () => {
    const base = testIngestConfig(tdb.url, TEST_REDIS_URL, redis.prefix);
    const fatal: Error[] = [];
    // A 1 s sender timeout: the server asks for a reply every 0.5 s and hangs up after 1 s without one.
    const databaseUrl = `${tdb.url}?options=${encodeURIComponent('-c wal_sender_timeout=1000')}`;
    ingest = await startIngest({ ...base, databaseUrl }, { logger: testLogger, onFatal: (e) => fatal.push(e) });
    const before = ingest.counters.eventsEnqueued;
    await new Promise((r) => setTimeout(r, 3000));
    await tdb.pool.query(`insert into events (event_id, stream_id, version, type, data) values ($1, $2, 1, 'AccountCreated', $3)`, [
      randomUUID(),
      randomUUID(),
      JSON.stringify({ accountId: randomUUID(), ownerName: 'y', initialBalance: '0.00' }),
    ]);
    await waitFor('the event after the idle period', async () => ingest!.counters.eventsEnqueued === before + 1, 10_000, 20);
    expect(fatal).toEqual([]);
    // A timed-out stream would now be restarted rather than fatal: that must not happen either.
    expect(ingest.counters.sessionRestarts).toBe(0);
  });
});
