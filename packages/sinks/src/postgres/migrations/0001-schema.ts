import { sql, type Kysely, type Migration } from 'kysely';

/** The public schema of DESIGN §3, plus the write-side snapshot and ingest bookkeeping. */
export const schema0001: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`
      create table events (
        global_position bigint generated always as identity primary key,
        event_id uuid not null unique,
        stream_id uuid not null,
        version int not null check (version >= 1),
        type text not null,
        data jsonb not null,
        metadata jsonb not null default '{}'::jsonb,
        -- Millisecond precision: a JS Date (every reader's) holds no more, so the read models'
        -- copies (occurred_at, updated_at) equal this column exactly and verify can compare them.
        created_at timestamptz(3) not null default now(),
        unique (stream_id, version)
      )`.execute(db);
    await sql`
      create table account_projections (
        account_id uuid primary key,
        owner_name text not null,
        balance numeric(20,2) not null,
        status text not null check (status in ('active', 'closed')),
        version int not null check (version >= 1),
        last_position bigint not null,
        created_at timestamptz not null,
        updated_at timestamptz not null
      )`.execute(db);
    await sql`
      create table transaction_projections (
        transaction_id uuid primary key,
        account_id uuid not null,
        type text not null check (type in ('DEPOSIT', 'WITHDRAWAL')),
        amount numeric(20,2) not null check (amount > 0),
        balance_after numeric(20,2) not null,
        position bigint not null,
        occurred_at timestamptz not null
      )`.execute(db);
    // position breaks ties between events written in one transaction (same occurred_at).
    await sql`create index transaction_projections_account_time on transaction_projections (account_id, occurred_at desc, position desc)`.execute(db);
    await sql`
      create table projection_checkpoints (
        projection text not null,
        partition int not null,
        position bigint not null default 0,
        events_applied bigint not null default 0,
        updated_at timestamptz not null default now(),
        primary key (projection, partition)
      )`.execute(db);
    await sql`
      create table account_write_state (
        stream_id uuid primary key,
        version int not null,
        balance numeric(20,2) not null check (balance >= 0),
        status text not null check (status in ('active', 'closed'))
      )`.execute(db);
    await sql`
      create table ingest_state (
        slot_name text primary key,
        catchup_done boolean not null default false,
        catchup_position bigint not null default 0,
        updated_at timestamptz not null default now()
      )`.execute(db);
    // Every change of `events` is published so ingest can count and log non-inserts (they
    // never move a read model by themselves).
    await sql`create publication ledgerflow_events for table events`.execute(db);
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await sql`drop publication if exists ledgerflow_events`.execute(db);
    for (const table of ['ingest_state', 'account_write_state', 'projection_checkpoints', 'transaction_projections', 'account_projections', 'events']) {
      await sql`drop table if exists ${sql.table(table)}`.execute(db);
    }
  },
};
