import { createTestDatabase, type TestDatabase } from '@ledgerflow/testkit';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import type { Role } from '../auth/roles';
import { createApiLogger } from '../logging';
import { buildServer } from '../server';
import { bearer, TEST_AUTH } from './tokens';

/** Everything the write side stores: compared before and after a refused command. */
export interface WriteSnapshot {
  readonly events: number;
  readonly writeState: readonly { stream_id: string; version: number; balance: string; status: string }[];
}

/** An API over a fresh test database, for `*.int.spec.ts` files (test-only). */
export interface ApiHarness {
  readonly tdb: TestDatabase;
  readonly app: FastifyInstance;
  /** POSTs JSON with the test token of `as` (default write; `anonymous`: no Authorization header). */
  post(url: string, body?: unknown, as?: Caller): Promise<LightMyRequestResponse>;
  /** GETs with the test token of `as` (default read; `anonymous`: no Authorization header). */
  get(url: string, as?: Caller): Promise<LightMyRequestResponse>;
  /** Everything the server logged so far (JSON lines), when started with `captureLogs`. */
  logs(): string;
  /** Opens an account through the API and returns its id. */
  open(initialBalance?: string, ownerName?: string): Promise<string>;
  snapshot(): Promise<WriteSnapshot>;
  /** The account's write-state row with its balance as stored (`"0.30"`). */
  writeState(accountId: string): Promise<{ version: number; balance: string; status: string } | undefined>;
  /** The account's stream folded in SQL: event count and balance. */
  folded(accountId: string): Promise<{ events: number; balance: string }>;
  close(): Promise<void>;
}

/** Options of startHarness. */
export interface HarnessOptions {
  /** Log everything (level trace) into a buffer that `logs()` returns. */
  readonly captureLogs?: boolean;
}

/** Who a harness request is sent as: the test token of a role, or no token at all. */
export type Caller = Role | 'anonymous';

const authHeaders = (as: Caller) => (as === 'anonymous' ? {} : bearer(as));

/**
 * Starts an API harness on its own migrated database named after `label`, with the test
 * tokens (see ./tokens) configured: requests go out with a write (POST) or read (GET) token.
 */
export async function startHarness(label: string, options: HarnessOptions = {}): Promise<ApiHarness> {
  const tdb = await createTestDatabase(label);
  const lines: string[] = [];
  const logger = options.captureLogs ? createApiLogger({ level: 'trace', destination: { write: (line: string) => void lines.push(line) } }) : undefined;
  // A stand-in /metrics, so the route exists (and is covered by the route-table tests).
  const app = buildServer({ db: tdb.db, auth: TEST_AUTH, metrics: async () => '', ...(logger ? { logger } : {}) });
  await app.ready();
  const harness: ApiHarness = {
    tdb,
    app,
    post: (url, body, as = 'write') => app.inject({ method: 'POST', url, headers: authHeaders(as), ...(body === undefined ? {} : { payload: body as object }) }),
    get: (url, as = 'read') => app.inject({ method: 'GET', url, headers: authHeaders(as) }),
    logs: () => lines.join(''),
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
