import { randomUUID } from 'node:crypto';
import { isLedgerflowError } from '@ledgerflow/cdc-core';
import { loadAccounts, loadBatchStart, writeProjection } from '@ledgerflow/sinks';
import { createTestDatabase, type TestDatabase } from '@ledgerflow/testkit';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRetryableError } from '../classify-error';
import { SingleClientPool, singleClientDb } from './single-client-pool';

let tdb: TestDatabase;
let client: pg.Client;

beforeAll(async () => {
  tdb = await createTestDatabase('projector_single_client');
  client = new pg.Client({ connectionString: tdb.url });
  await client.connect();
});

afterAll(async () => {
  await client?.end().catch(() => undefined);
  await tdb?.drop();
});

describe('SingleClientPool', () => {
  it('runs everything on its one connection, one borrower at a time', async () => {
    const pool = new SingleClientPool(client);
    const db = singleClientDb(pool);
    const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
    const order: string[] = [];
    let openFirst!: () => void;
    const gate = new Promise<void>((resolve) => (openFirst = resolve));
    const first = db.transaction().execute(async (trx) => {
      order.push('first begins');
      const pid = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx);
      await gate;
      order.push('first ends');
      return pid.rows[0]!.pid;
    });
    const second = (async () => {
      const pid = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db);
      order.push('second');
      return pid.rows[0]!.pid;
    })();
    await new Promise((r) => setTimeout(r, 100));
    expect(order).toEqual(['first begins']); // the second waits for the connection
    openFirst();
    expect(await Promise.all([first, second])).toEqual([rows[0]!.pid, rows[0]!.pid]);
    expect(order).toEqual(['first begins', 'first ends', 'second']);
  });

  it('refuses borrowers once ended, with a retryable error, and leaves the client open', async () => {
    const pool = new SingleClientPool(client);
    const db = singleClientDb(pool);
    await pool.end();
    const error = await sql`select 1`.execute(db).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isLedgerflowError(error, 'TRANSIENT_FAILURE')).toBe(true);
    expect(isRetryableError(error)).toBe(true);
    expect((await client.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
  });

  it("runs the batch's repeated statements prepared on its connection", async () => {
    const db = singleClientDb(new SingleClientPool(client));
    const accountId = randomUUID();
    for (let version = 1; version <= 3; version++) {
      const account = { accountId, ownerName: 'ada', balance: 100n * BigInt(version), status: 'active' as const, version, lastPosition: BigInt(version), createdAt: '2024-01-01T00:00:00.000Z', updatedAt: '2024-01-01T00:00:00.000Z' };
      await loadBatchStart(db, [accountId]);
      await writeProjection(db, { accounts: [account], transactions: [], checkpoint: { partition: 3, position: BigInt(version), eventsApplied: 1 } });
    }
    const { rows } = await client.query<{ statement: string }>('select statement from pg_prepared_statements order by name');
    expect(rows.map((r) => r.statement.trim().split(/\s+/).slice(0, 2).join(' '))).toEqual(['select a.account_id,', 'with written']) // loadBatchStart, writeProjection;
    expect((await loadAccounts(db, [accountId])).get(accountId)?.balance).toBe(300n);
  });
});
