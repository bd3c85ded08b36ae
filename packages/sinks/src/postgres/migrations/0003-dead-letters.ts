import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Poison isolation (DESIGN G5). `parked_accounts`: one row per account stopped by an event the
 * projector must refuse. `dead_letter_events`: that event ('failed') and every later event of
 * the account ('held'), copies kept for people — a redrive re-reads the event store. Both are
 * written in the projector's batch transaction. `skipped_events`: events an operator decided to
 * apply as no-ops (the version advances, nothing else). `account_projections.stale` marks a
 * row that stopped short of its account's events, so readers do not take it as current.
 */
export const deadLetters0003: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`alter table account_projections add column stale boolean not null default false`.execute(db);
    await sql`
      create table parked_accounts (
        account_id uuid primary key,
        partition int not null,
        parked_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        code text not null,
        message text not null,
        details jsonb not null default '{}'::jsonb,
        failed_event_id uuid not null,
        failed_version int not null,
        -- Redrives that failed again since the account was parked.
        attempts int not null default 0
      )`.execute(db);
    await sql`
      create table dead_letter_events (
        event_id uuid primary key,
        account_id uuid not null,
        version int not null,
        position bigint not null,
        type text not null,
        reason text not null check (reason in ('failed', 'held')),
        code text not null,
        message text not null,
        details jsonb not null default '{}'::jsonb,
        data jsonb not null,
        metadata jsonb not null default '{}'::jsonb,
        created_at timestamptz not null,
        recorded_at timestamptz not null default now(),
        unique (account_id, version)
      )`.execute(db);
    await sql`
      create table skipped_events (
        event_id uuid primary key,
        account_id uuid not null,
        version int not null,
        reason text not null check (length(reason) between 1 and 1000),
        skipped_at timestamptz not null default now(),
        unique (account_id, version)
      )`.execute(db);
  },
  async down(db: Kysely<unknown>): Promise<void> {
    for (const table of ['skipped_events', 'dead_letter_events', 'parked_accounts']) {
      await sql`drop table if exists ${sql.table(table)}`.execute(db);
    }
    await sql`alter table account_projections drop column if exists stale`.execute(db);
  },
};
