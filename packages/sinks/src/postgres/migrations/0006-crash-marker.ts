import { sql, type Kysely, type Migration } from 'kysely';

/**
 * The crash marker: one row in an UNLOGGED table. PostgreSQL empties unlogged tables in crash
 * recovery (a killed server, an OS crash, a promoted standby, a restored backup) and keeps them
 * through a clean shutdown, so an empty table says "the server crashed since the marker was
 * last set". Projector writes commit asynchronously (decision 015), and a crash may lose the
 * last of them after their jobs were completed: ingest repairs the read models from the event
 * store when it finds the marker gone, then sets it again (see crash-repair.ts in ingest).
 * Migrating sets it: a new database has lost nothing.
 */
export const crashMarker0006: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`create unlogged table ledgerflow_crash_marker (
      only_row boolean primary key default true check (only_row),
      set_at timestamptz not null default now()
    )`.execute(db);
    await sql`insert into ledgerflow_crash_marker default values`.execute(db);
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await sql`drop table if exists ledgerflow_crash_marker`.execute(db);
  },
};
