import { createDb, migrateToLatest } from '@ledgerflow/sinks';
import { TEST_REDIS_URL, startPrivatePostgres, testRedisPrefix, waitFor, type PrivatePostgres } from '@ledgerflow/testkit';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestConfig } from './config';
import { startIngest, type IngestHandle } from './ingest';
import { useRawJsonParsers } from './pg-json';
import { testIngestConfig, testLogger } from './testing/fixtures';

const MIB = 1024 * 1024;
let server: PrivatePostgres;
/** The database ingest streams; nothing writes to it during the test. */
let poolA: pg.Pool;
/** Another database of the same server, where all the WAL is written. */
let poolB: pg.Pool;
let config: IngestConfig;
let ingest: IngestHandle | undefined;
const fatal: Error[] = [];
const redis = testRedisPrefix('ingest-idle-slot');

function databaseUrl(name: string): string {
  const url = new URL(server.adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

beforeAll(async () => {
  useRawJsonParsers();
  // A server of this file's own: WAL written anywhere on it is retained by A's slot, and
  // wal_sender_timeout is server-wide.
  server = await startPrivatePostgres();
  const admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
  await admin.query('create database idle_slot_a');
  await admin.query('create database idle_slot_b');
  // The walsender asks for a reply after wal_sender_timeout / 2 without one: every second here.
  await admin.query(`alter system set wal_sender_timeout = '2s'`);
  await admin.query('select pg_reload_conf()');
  await admin.end();
  poolA = new pg.Pool({ connectionString: databaseUrl('idle_slot_a'), max: 2 });
  poolB = new pg.Pool({ connectionString: databaseUrl('idle_slot_b'), max: 2 });
  const migrated = await migrateToLatest(createDb(poolA) as Kysely<unknown>);
  if (migrated.error) throw migrated.error;
  config = testIngestConfig(databaseUrl('idle_slot_a'), TEST_REDIS_URL, redis.prefix);
  ingest = await startIngest(config, { logger: testLogger, onFatal: (e) => fatal.push(e) });
  await waitFor('the slot in use', async () => (await slot()).active, 20_000, 50);
});

afterAll(async () => {
  await ingest?.stop();
  await poolA?.end().catch(() => undefined);
  await poolB?.end().catch(() => undefined);
  server?.destroy();
  await redis.cleanup();
});

interface SlotRow {
  readonly active: boolean;
  /** Bytes from confirmed_flush_lsn / restart_lsn up to `lsn` (negative: the slot is past it). */
  readonly confirmedBehind: number;
  readonly restartBehind: number;
  /** WAL the slot keeps on disk: from restart_lsn to the server's current position. */
  readonly retainedBytes: number;
}

/** A's slot, measured against `lsn` (default: the server's current position). */
async function slot(lsn?: string): Promise<SlotRow> {
  const { rows } = await poolB.query<{ active: boolean; confirmed_behind: string; restart_behind: string; retained: string }>(
    `select active,
            pg_wal_lsn_diff(coalesce($2::pg_lsn, pg_current_wal_lsn()), confirmed_flush_lsn)::text as confirmed_behind,
            pg_wal_lsn_diff(coalesce($2::pg_lsn, pg_current_wal_lsn()), restart_lsn)::text as restart_behind,
            pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::text as retained
       from pg_replication_slots where slot_name = $1`,
    [config.slotName, lsn ?? null],
  );
  const row = rows[0];
  if (!row) throw new Error(`slot ${config.slotName} not found`);
  return { active: row.active, confirmedBehind: Number(row.confirmed_behind), restartBehind: Number(row.restart_behind), retainedBytes: Number(row.retained) };
}

async function eventCountA(): Promise<number> {
  const { rows } = await poolA.query<{ n: string }>('select count(*)::text as n from events');
  return Number(rows[0]!.n);
}

describe('an idle database', () => {
  it('does not make its slot retain WAL written elsewhere on the server', async () => {
    // ~30 MiB of WAL in B: more than the retention bound asserted below, so a slot that does
    // not move fails it.
    await poolB.query('create table filler (id int primary key, pad text)');
    await poolB.query(`insert into filler select g, repeat(md5(g::text), 4) from generate_series(1, 200000) g`);
    const { rows } = await poolB.query<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn');
    const target = rows[0]!.lsn;
    const before = await slot(target);
    expect(before.restartBehind).toBeGreaterThan(16 * MIB);
    const startedAt = Date.now();

    // Keepalives come every second (wal_sender_timeout = 2 s); ingest confirms their position.
    await waitFor('confirmed_flush_lsn past the WAL written in B', async () => (await slot(target)).confirmedBehind <= 0, 10_000, 50);
    const confirmedAfterMs = Date.now() - startedAt;
    // restart_lsn follows once the walsender has decoded a running-xacts record past the target
    // and that is confirmed too. The background writer logs one within ~15 s of activity; a
    // checkpoint logs one at once (server-wide WAL, still no write to A) and keeps the test short.
    await poolB.query('checkpoint');
    await waitFor('restart_lsn past the WAL written in B', async () => (await slot(target)).restartBehind <= 0, 10_000, 50);
    const restartAfterMs = Date.now() - startedAt;
    console.info(`idle slot: confirmed_flush_lsn advanced after ${confirmedAfterMs} ms, restart_lsn after ${restartAfterMs} ms`);

    const after = await slot();
    expect(after.active).toBe(true);
    expect(after.retainedBytes).toBeLessThan(16 * MIB);
    // A stayed idle: nothing was published, so only keepalives can have moved the slot.
    expect(await eventCountA()).toBe(0);
    expect(ingest!.counters.eventsEnqueued).toBe(0);
    expect(fatal).toEqual([]);
  });
});
