import type { ChildProcess } from 'node:child_process';
import { TEST_REDIS_URL, createTestDatabase, testRedisPrefix, waitFor, type TestDatabase } from '@ledgerflow/testkit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, stopApp } from './app-process';
import { slotStreams } from './slot-streams';

const redisKeys = testRedisPrefix('slot-streams');
let tdb: TestDatabase;
let ingest: ChildProcess | undefined;
let blocker: pg.Client | undefined;
const slot = 'lf_slot_streams_e2e';

/** The backend type of the process holding the slot (`client backend` while it is created, `walsender` while it streams). */
async function slotHolder(): Promise<string | undefined> {
  const r = await tdb.pool.query<{ backend: string }>('select a.backend_type as backend from pg_replication_slots s join pg_stat_activity a on a.pid = s.active_pid where s.slot_name = $1', [slot]);
  return r.rows[0]?.backend;
}

beforeAll(async () => {
  tdb = await createTestDatabase('slot_streams');
});

afterAll(async () => {
  await blocker?.end().catch(() => undefined);
  if (ingest) await stopApp(ingest, 5000);
  await redisKeys.cleanup();
  await tdb?.drop(); // also drops the slot
});

describe('slotStreams (a real ingest process)', () => {
  it('is false while the slot is being created, though it is already active, and true once ingest streams', async () => {
    // A transaction with an xid holds the slot's creation back (it waits for every running
    // transaction of the cluster): the window the bench and the trace test once mistook for streaming.
    blocker = new pg.Client({ connectionString: tdb.url });
    await blocker.connect();
    await blocker.query('begin');
    await blocker.query('select txid_current()');
    ingest = startApp('ingest', { ...process.env, DATABASE_URL: tdb.url, REDIS_URL: TEST_REDIS_URL, LEDGERFLOW_REDIS_PREFIX: redisKeys.prefix, LEDGERFLOW_SLOT: slot, LEDGERFLOW_PARTITIONS: '2', LEDGERFLOW_INGEST_OPS_PORT: '0', LOG_LEVEL: 'warn' });

    const holder = await waitFor('the slot to be active while it is created', slotHolder, 60_000, 50);
    expect(holder).toBe('client backend');
    expect(await slotStreams(tdb.pool, slot)).toBe(false);

    await blocker.query('commit');
    await waitFor('ingest to stream from its slot', () => slotStreams(tdb.pool, slot), 60_000, 100);
    expect(await slotHolder()).toBe('walsender');
  }, 120_000);
});
