import { createTestDatabase, type TestDatabase } from '@ledgerflow/testkit';
import type { Kysely, MigrationResultSet } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENTS_PUBLICATION, migrateToLatest } from './migrate';

let t: TestDatabase;
let first: MigrationResultSet;

beforeAll(async () => {
  t = await createTestDatabase('migrate', { migrate: false });
  first = await migrateToLatest(t.db as Kysely<unknown>);
});
afterAll(async () => {
  await t?.drop();
});

async function columns(table: string): Promise<Record<string, string>> {
  const { rows } = await t.pool.query<{ attname: string; type: string; attnotnull: boolean }>(
    `select a.attname, format_type(a.atttypid, a.atttypmod) as type, a.attnotnull
     from pg_attribute a where a.attrelid = $1::regclass and a.attnum > 0 and not a.attisdropped order by a.attnum`,
    [`public.${table}`],
  );
  return Object.fromEntries(rows.map((r) => [r.attname, `${r.type}${r.attnotnull ? ' not null' : ''}`]));
}

describe('migrateToLatest', () => {
  it('applies the schema, and a second run is a no-op', async () => {
    expect(first.error).toBeUndefined();
    expect(first.results?.map((r) => [r.migrationName, r.status])).toEqual([
      ['0001-schema', 'Success'],
      ['0002-fleet', 'Success'],
      ['0003-dead-letters', 'Success'],
      ['0004-write-guard', 'Success'],
      ['0005-partition-fence', 'Success'],
      ['0006-crash-marker', 'Success'],
      ['0007-partition-count', 'Success'],
    ]);
    const second = await migrateToLatest(t.db as Kysely<unknown>);
    expect(second.error).toBeUndefined();
    expect(second.results).toEqual([]);
  });

  it('creates the public schema of DESIGN §3', async () => {
    expect(await columns('events')).toEqual({
      global_position: 'bigint not null',
      event_id: 'uuid not null',
      stream_id: 'uuid not null',
      version: 'integer not null',
      type: 'text not null',
      data: 'jsonb not null',
      metadata: 'jsonb not null',
      created_at: 'timestamp(3) with time zone not null',
    });
    expect(await columns('account_projections')).toEqual({
      account_id: 'uuid not null',
      owner_name: 'text not null',
      balance: 'numeric(20,2) not null',
      status: 'text not null',
      version: 'integer not null',
      last_position: 'bigint not null',
      created_at: 'timestamp with time zone not null',
      updated_at: 'timestamp with time zone not null',
      stale: 'boolean not null',
    });
    expect(await columns('transaction_projections')).toEqual({
      transaction_id: 'uuid not null',
      account_id: 'uuid not null',
      type: 'text not null',
      amount: 'numeric(20,2) not null',
      balance_after: 'numeric(20,2) not null',
      position: 'bigint not null',
      occurred_at: 'timestamp with time zone not null',
    });
    expect(await columns('projection_checkpoints')).toMatchObject({ projection: 'text not null', partition: 'integer not null', position: 'bigint not null' });
  });

  it('creates the projector fleet membership table', async () => {
    expect(await columns('projector_members')).toEqual({
      member_id: 'text not null',
      host: 'text not null',
      os_pid: 'integer not null',
      started_at: 'timestamp with time zone not null',
      heartbeat_at: 'timestamp with time zone not null',
      partitions: 'integer[] not null',
    });
  });

  it('creates the dead-letter store (G5)', async () => {
    expect(await columns('parked_accounts')).toEqual({
      account_id: 'uuid not null',
      partition: 'integer not null',
      parked_at: 'timestamp with time zone not null',
      updated_at: 'timestamp with time zone not null',
      code: 'text not null',
      message: 'text not null',
      details: 'jsonb not null',
      failed_event_id: 'uuid not null',
      failed_version: 'integer not null',
      attempts: 'integer not null',
    });
    expect(await columns('dead_letter_events')).toMatchObject({
      event_id: 'uuid not null',
      account_id: 'uuid not null',
      version: 'integer not null',
      position: 'bigint not null',
      reason: 'text not null',
      code: 'text not null',
      message: 'text not null',
      data: 'jsonb not null',
    });
    expect(await columns('skipped_events')).toEqual({
      event_id: 'uuid not null',
      account_id: 'uuid not null',
      version: 'integer not null',
      reason: 'text not null',
      skipped_at: 'timestamp with time zone not null',
    });
    // Existing rows get stale = false without a table rewrite (PostgreSQL 11+ fast default).
    const { rows } = await t.pool.query<{ column_default: string }>(
      `select column_default from information_schema.columns where table_name = 'account_projections' and column_name = 'stale'`,
    );
    expect(rows[0]?.column_default).toBe('false');
  });

  it('keys the tables as the design says', async () => {
    const { rows } = await t.pool.query<{ table: string; def: string }>(
      `select conrelid::regclass::text as table, pg_get_constraintdef(oid) as def from pg_constraint
       where contype in ('p', 'u') and connamespace = 'public'::regnamespace order by 1, 2`,
    );
    const keys = rows.map((r) => `${r.table}: ${r.def}`);
    expect(keys).toEqual(
      expect.arrayContaining([
        'events: PRIMARY KEY (global_position)',
        'events: UNIQUE (event_id)',
        'events: UNIQUE (stream_id, version)',
        'account_projections: PRIMARY KEY (account_id)',
        'transaction_projections: PRIMARY KEY (transaction_id)',
        'projection_checkpoints: PRIMARY KEY (projection, partition)',
        'parked_accounts: PRIMARY KEY (account_id)',
        'dead_letter_events: PRIMARY KEY (event_id)',
        'dead_letter_events: UNIQUE (account_id, version)',
        'skipped_events: PRIMARY KEY (event_id)',
      ]),
    );
    const identity = await t.pool.query<{ is_identity: string }>(`select is_identity from information_schema.columns where table_name = 'events' and column_name = 'global_position'`);
    expect(identity.rows[0]?.is_identity).toBe('YES');
  });

  it('indexes transaction_projections by (account_id, occurred_at desc …)', async () => {
    const { rows } = await t.pool.query<{ indexdef: string }>(`select indexdef from pg_indexes where schemaname = 'public' and tablename = 'transaction_projections'`);
    expect(rows.map((r) => r.indexdef).join('\n')).toMatch(/USING btree \(account_id, occurred_at DESC(, "?position"? DESC)?\)/);
  });

  it('publishes the events table as ledgerflow_events', async () => {
    expect(EVENTS_PUBLICATION).toBe('ledgerflow_events');
    const { rows } = await t.pool.query<{ tablename: string; pubinsert: boolean }>(
      `select pt.tablename, p.pubinsert from pg_publication p join pg_publication_tables pt using (pubname) where p.pubname = $1`,
      [EVENTS_PUBLICATION],
    );
    expect(rows).toEqual([{ tablename: 'events', pubinsert: true }]);
  });

  it('stores created_at at millisecond precision, as every reader sees it', async () => {
    const { rows } = await t.pool.query<{ created_at: Date; micros: string }>(
      `insert into events (event_id, stream_id, version, type, data) values (gen_random_uuid(), gen_random_uuid(), 1, 'AccountCreated', '{}')
       returning created_at, extract(microseconds from created_at)::bigint::text as micros`,
    );
    const row = rows[0]!;
    expect(BigInt(row.micros) % 1000n).toBe(0n);
    expect(BigInt(row.micros) / 1000n).toBe(BigInt(row.created_at.getUTCSeconds() * 1000 + row.created_at.getUTCMilliseconds()));
    await t.pool.query('delete from events');
  });
});
