import { createDb, migrateToLatest } from '@ledgerflow/sinks';
import type { Kysely } from 'kysely';
import pg from 'pg';

/** Applies pending migrations to the database of `url`; returns the names applied; throws on error. */
export async function migrateDatabase(url: string): Promise<string[]> {
  const db = createDb(new pg.Pool({ connectionString: url, max: 2 }));
  try {
    const result = await migrateToLatest(db as Kysely<unknown>);
    const applied = (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
    if (result.error) throw result.error instanceof Error ? result.error : new Error(String(result.error));
    return applied;
  } finally {
    await db.destroy();
  }
}
