import { createTestDatabase, type TestDatabase } from '@ledgerflow/testkit';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { buildServer } from '../server';

/** Everything the write side stores: compared before and after a refused command. */
export interface WriteSnapshot {
  readonly events: number;
  readonly writeState: readonly { stream_id: string; version: number; balance: string; status: string }[];
}

/** An API over a fresh test database, for `*.int.spec.ts` files (test-only). */
export interface ApiHarness {
  readonly tdb: TestDatabase;
  readonly app: FastifyInstance;
  post(url: string, body?: unknown): Promise<LightMyRequestResponse>;
  get(url: string): Promise<LightMyRequestResponse>;
  /** Opens an account through the API and returns its id. */
  open(initialBalance?: string, ownerName?: string): Promise<string>;
  snapshot(): Promise<WriteSnapshot>;
  /** The account's write-state row with its balance as stored (`"0.30"`). */
  writeState(accountId: string): Promise<{ version: number; balance: string; status: string } | undefined>;
  /** The account's stream folded in SQL: event count and balance. */
  folded(accountId: string): Promise<{ events: number; balance: string }>;
  close(): Promise<void>;
}

/** Starts an API harness on its own migrated database named after `label`. */
export async function startHarness(label: string): Promise<ApiHarness> {
  const tdb = await createTestDatabase(label);
  const app = buildServer({ db: tdb.db });
  await app.ready();
  const harness: ApiHarness = {
    tdb,
    app,
    post: (url, body) => app.inject({ method: 'POST', url, ...(body === undefined ? {} : { payload: body as object }) }),
    get: (url) => app.inject({ method: 'GET', url }),
    async open(initialBalance = '100.00', ownerName = 'Ada Lovelace') {
      const res = await harness.post('/accounts', { ownerName, initialBalance });
      if (res.statusCode !== 201) throw new Error(`open failed: ${res.statusCode} ${res.body}`);
      return res.json<{ accountId: string }>().accountId;
    },
    async snapshot() {
      const events = await sql<{ n: number }>`select count(*)::int as n from events`.execute(tdb.db);
      const rows = await sql<{ stream_id: string; version: number; balance: string; status: string }>`
        select stream_id, version, balance::text as balance, status from account_write_state order by stream_id`.execute(tdb.db);
      return { events: events.rows[0]!.n, writeState: rows.rows };
    },
    async writeState(accountId) {
      const rows = await sql<{ version: number; balance: string; status: string }>`
        select version, balance::text as balance, status from account_write_state where stream_id = ${accountId}::uuid`.execute(tdb.db);
      return rows.rows[0];
    },
    async folded(accountId) {
      const rows = await sql<{ events: number; balance: string }>`
        select count(*)::int as events, coalesce(sum(case type
          when 'AccountCreated' then (data->>'initialBalance')::numeric
          when 'MoneyDeposited' then (data->>'amount')::numeric
          when 'MoneyWithdrawn' then -(data->>'amount')::numeric
          else 0 end), 0)::numeric(20,2)::text as balance
        from events where stream_id = ${accountId}::uuid`.execute(tdb.db);
      return rows.rows[0]!;
    },
    async close() {
      await app.close();
      await tdb.drop();
    },
  };
  return harness;
}
