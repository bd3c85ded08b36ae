import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Membership of the projector fleet (DESIGN G6). A row says "this process is alive" as long as
 * its heartbeat (taken with the database clock, so process clocks never matter) is recent;
 * `partitions` is informational only — who really owns a partition is whoever holds its
 * advisory lock (pg_locks).
 */
export const fleet0002: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`
      create table projector_members (
        member_id text primary key,
        host text not null,
        os_pid int not null,
        started_at timestamptz not null default now(),
        heartbeat_at timestamptz not null default now(),
        partitions int[] not null default '{}'
      )`.execute(db);
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await sql`drop table if exists projector_members`.execute(db);
  },
};
