import { startPrivatePostgres, type PrivatePostgres } from '@ledgerflow/testkit';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crashMarkerPresent, setCrashMarker } from './crash-marker';
import { createDb } from './create-db';
import type { LedgerDatabase } from './database';
import { migrateToLatest } from './migrate';

let server: PrivatePostgres;

/** Runs `work` on connections opened now: those opened before a stop died with the server. */
async function withDb<T>(work: (db: Kysely<LedgerDatabase>, pool: pg.Pool) => Promise<T>): Promise<T> {
  const pool = new pg.Pool({ connectionString: server.adminUrl, max: 1 });
  // A connection ending while the server stops must not crash the test run.
  pool.on('error', () => undefined);
  const db = createDb(pool);
  try {
    return await work(db, pool);
  } finally {
    await db.destroy();
  }
}

beforeAll(async () => {
  // A server of this file's own: crashing it cannot hurt other test files.
  server = await startPrivatePostgres();
  const migrated = await withDb((db) => migrateToLatest(db as Kysely<unknown>));
  if (migrated.error) throw migrated.error;
}, 60_000);

afterAll(async () => {
  server?.destroy();
});

describe('crash marker', () => {
  it('is set by the migration', async () => {
    expect(await withDb(crashMarkerPresent)).toBe(true);
  });

  it('survives a clean restart', async () => {
    server.restart();
    expect(await withDb(crashMarkerPresent)).toBe(true);
  }, 60_000);

  it('is gone after a crash, and setting it again is idempotent', async () => {
    server.crash();
    expect(await withDb(crashMarkerPresent)).toBe(false);
    await withDb(async (db) => {
      await setCrashMarker(db);
      await setCrashMarker(db);
    });
    expect(await withDb(crashMarkerPresent)).toBe(true);
    const rows = await withDb(async (_db, pool) => (await pool.query<{ n: number }>('select count(*)::int as n from ledgerflow_crash_marker')).rows);
    expect(rows[0]!.n).toBe(1);
  }, 60_000);
});
