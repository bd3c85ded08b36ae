import pg from 'pg';
import { databaseName } from '../config';

/** The URL of the server's `postgres` database, for creating and dropping others. */
function adminUrl(url: string): string {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  return admin.toString();
}

async function withAdmin<T>(url: string, fn: (client: pg.Client, name: string) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl(url) });
  await client.connect();
  try {
    return await fn(client, databaseName(url));
  } finally {
    await client.end();
  }
}

/** Creates the database of `url` if it does not exist. Returns true when it created it. */
export function ensureDatabase(url: string): Promise<boolean> {
  return withAdmin(url, async (client, name) => {
    const exists = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (exists.rowCount) return false;
    await client.query(`create database ${pg.escapeIdentifier(name)}`);
    return true;
  });
}

/** Drops (with its replication slots) and recreates the database of `url`. */
export function recreateDatabase(url: string): Promise<void> {
  return withAdmin(url, async (client, name) => {
    await client.query('select pg_terminate_backend(active_pid) from pg_replication_slots where database = $1 and active_pid is not null', [name]);
    await client.query('select pg_drop_replication_slot(slot_name) from pg_replication_slots where database = $1', [name]);
    await client.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`);
    await client.query(`create database ${pg.escapeIdentifier(name)}`);
  });
}
