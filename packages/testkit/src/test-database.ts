import { randomBytes } from 'node:crypto';
import { createDb, migrateToLatest, type LedgerDatabase } from '@ledgerflow/sinks';
import type { Kysely } from 'kysely';
import pg from 'pg';

/** The local PostgreSQL every test talks to (tools/prepare.sh makes it ready); its `postgres` database is for admin work. */
export const TEST_PG_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** A database of its own for one test file, migrated, dropped (with its slots) by `drop()`. */
export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  readonly pool: pg.Pool;
  readonly db: Kysely<LedgerDatabase>;
  drop(): Promise<void>;
}

/** Builds the URL of a database on the test server. */
export function databaseUrl(name: string): string {
  const url = new URL(TEST_PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Drops a database after dropping its replication slots and ending its sessions. */
export async function dropDatabase(name: string): Promise<void> {
  await admin(async (c) => {
    for (let attempt = 0; attempt < 20; attempt++) {
      await c.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [name]);
      const slots = await c.query<{ slot_name: string; active: boolean }>('select slot_name, active from pg_replication_slots where database = $1', [name]);
      let busy = false;
      for (const slot of slots.rows) {
        if (slot.active) busy = true;
        else await c.query('select pg_drop_replication_slot($1)', [slot.slot_name]).catch(() => (busy = true));
      }
      if (!busy) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    await c.query(`drop database if exists "${name}" with (force)`);
  });
}

/** Creates and migrates a fresh database named after `label` plus a random suffix. */
export async function createTestDatabase(label: string, options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const name = `lf_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase().slice(0, 30)}_${randomBytes(4).toString('hex')}`;
  await admin((c) => c.query(`create database "${name}"`));
  const url = databaseUrl(name);
  const pool = new pg.Pool({ connectionString: url, max: 8 });
  // drop() terminates every session of the database; an idle client of this pool that learns
  // of it must not crash the test process with an unhandled 'error' event.
  pool.on('error', () => undefined);
  const db = createDb(pool);
  if (options.migrate !== false) {
    const result = await migrateToLatest(db as Kysely<unknown>);
    if (result.error) throw result.error;
  }
  let dropped = false;
  return {
    name,
    url,
    pool,
    db,
    async drop() {
      if (dropped) return;
      dropped = true;
      await db.destroy().catch(() => undefined);
      await dropDatabase(name);
    },
  };
}
