import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@ledgerflow/testkit';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerDatabase } from './database';
import { KEY_LOOKUP_PLANS_OPTION, preparingQuery } from './prepared-query';
import { loadBatchStart } from './batch-start';
import { loadAccounts } from './read-model-store';

let t: TestDatabase;
let client: pg.Client;
let db: Kysely<LedgerDatabase>;

beforeAll(async () => {
  t = await createTestDatabase('prepared_query');
  client = new pg.Client({ connectionString: t.url });
  await client.connect();
  const query = preparingQuery(client, { prepareAfter: 2, maxPrepared: 4, maxTracked: 16 });
  // A Kysely "pool" over the one wrapped connection, as the projector's partition connections are.
  const pool = { connect: async () => ({ query, release: () => undefined }), end: async () => undefined };
  db = new Kysely<LedgerDatabase>({ dialect: new PostgresDialect({ pool: pool as never }) });
});
afterAll(async () => {
  await client?.end().catch(() => undefined);
  await t?.drop();
});

/** This session's prepared statements, as the server holds them. */
async function prepared(): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>('select name from pg_prepared_statements order by name');
  return rows.map((r) => r.name);
}

describe('preparingQuery', () => {
  it('prepares a parameterised text on its second use, and its results stay right', async () => {
    const id = '00000000-0000-4000-8000-000000000001';
    expect((await loadAccounts(db, [id])).size).toBe(0);
    expect(await prepared()).toEqual([]);
    await loadAccounts(db, [id]);
    expect(await prepared()).toEqual(['lf_1']);
    await sql`insert into account_projections (account_id, owner_name, balance, status, version, last_position, created_at, updated_at)
              values (${id}::uuid, 'ada', 12.5, 'active', 1, 7, now(), now())`.execute(t.db);
    const rows = await loadAccounts(db, [id]); // the prepared statement, with new data
    expect(rows.get(id)?.balance).toBe(1250n);
    expect(await prepared()).toEqual(['lf_1']);
  });

  it('leaves parameterless text on the simple protocol, so several statements still go in one query', async () => {
    for (let i = 0; i < 3; i++) {
      await sql.raw("begin; select set_config('statement_timeout', '5000', true)").execute(db);
      const { rows } = await sql.raw<{ statement_timeout: string }>('show statement_timeout').execute(db);
      await sql.raw('commit').execute(db);
      expect(rows).toEqual([{ statement_timeout: '5s' }]);
    }
    expect(await prepared()).toEqual(['lf_1']);
  });

  it('stops preparing at its cap and still runs every statement', async () => {
    for (let k = 0; k < 6; k++) {
      for (let i = 0; i < 2; i++) {
        const { rows } = await sql<{ v: number }>`select ${k}::int + ${i}::int as v, ${`text ${k}`}::text as t`.execute(db);
        expect(rows[0]!.v).toBe(k + i);
      }
    }
    // Kysely compiles each of these to the same text ($1, $2, $3): one more name, not six.
    expect(await prepared()).toEqual(['lf_1', 'lf_2']);
    for (let k = 0; k < 4; k++) {
      const texts = [sql`select ${k}::int as a${sql.raw(String(k))}`, sql`select ${k}::int as a${sql.raw(String(k))}`];
      for (const q of texts) await q.execute(db);
    }
    expect(await prepared()).toEqual(['lf_1', 'lf_2', 'lf_3', 'lf_4']); // maxPrepared = 4
  });
});

describe('KEY_LOOKUP_PLANS_OPTION', () => {
  /** The plan `lf_1` (loadBatchStart, prepared on its second use) runs with once the table has grown. */
  async function batchReadPlan(connectionOptions: string | undefined): Promise<string> {
    const c = new pg.Client({ connectionString: t.url, ...(connectionOptions ? { options: connectionOptions } : {}) });
    await c.connect();
    try {
      await c.query('create temporary table account_projections (like public.account_projections including all)');
      await c.query('create temporary table parked_accounts (like public.parked_accounts including all)');
      const query = preparingQuery(c);
      const pool = { connect: async () => ({ query, release: () => undefined }), end: async () => undefined };
      const tdb = new Kysely<LedgerDatabase>({ dialect: new PostgresDialect({ pool: pool as never }) });
      const id = '00000000-0000-4000-8000-000000000002';
      const grow = (rows: number) => c.query(`insert into account_projections select gen_random_uuid(), 'x', 1, 'active', 1, g, now(), now() from generate_series(1, ${rows}) g`);
      // Prepared and run while the read model is small (and analyzed so): PostgreSQL settles on a generic plan after five runs.
      await grow(50);
      await c.query('analyze account_projections');
      for (let i = 0; i < 8; i++) await loadBatchStart(tdb, [randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID()]);
      await grow(20_000);
      const { rows } = await c.query<{ 'QUERY PLAN': string }>(`explain execute lf_1('{${id}}', '{${id}}')`);
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    } finally {
      await c.end();
    }
  }

  it('keeps a statement prepared on a small table from scanning the whole table once it has grown', async () => {
    expect(await batchReadPlan(KEY_LOOKUP_PLANS_OPTION)).not.toMatch(/Seq Scan on account_projections/);
    // What it prevents: the generic plan made while the table was small.
    expect(await batchReadPlan(undefined)).toMatch(/Seq Scan on account_projections/);
  });
});
