import { createTestDatabase, type TestDatabase } from '@ledgerflow/testkit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { beginStatement, inBatchTransaction } from './batch-transaction';

let tdb: TestDatabase;

beforeAll(async () => {
  tdb = await createTestDatabase('projector_batch_transaction');
  await sql`create table probe (id int primary key)`.execute(tdb.db);
});
afterAll(async () => {
  await tdb?.drop();
});

const rows = async () => (await sql<{ id: number }>`select id from probe order by id`.execute(tdb.db)).rows.map((r) => r.id);
const statementTimeout = async (db: typeof tdb.db) => (await sql<{ statement_timeout: string }>`show statement_timeout`.execute(db)).rows[0]?.statement_timeout;

describe('inBatchTransaction', () => {
  it('commits the work, with the statement limit set for the transaction only', async () => {
    const inside = await inBatchTransaction(tdb.db, 250, async (trx) => {
      await sql`insert into probe values (1)`.execute(trx);
      return statementTimeout(trx);
    });
    expect(inside).toBe('250ms');
    expect(await rows()).toEqual([1]);
    expect(await statementTimeout(tdb.db)).toBe('0');
  });

  it('rolls everything back when the work throws, and rethrows', async () => {
    const failure = inBatchTransaction(tdb.db, undefined, async (trx) => {
      await sql`insert into probe values (2)`.execute(trx);
      throw new Error('boom');
    });
    await expect(failure).rejects.toThrow('boom');
    expect(await rows()).toEqual([1]);
  });

  it('enforces the limit on the server: a slow statement is cancelled and nothing lands', async () => {
    const slow = inBatchTransaction(tdb.db, 100, async (trx) => {
      await sql`insert into probe values (3)`.execute(trx);
      await sql`select pg_sleep(2)`.execute(trx);
    });
    await expect(slow).rejects.toMatchObject({ code: '57014' });
    expect(await rows()).toEqual([1]);
  });

  it('refuses to report success for a transaction an ignored error aborted', async () => {
    const aborted = inBatchTransaction(tdb.db, undefined, async (trx) => {
      await sql`insert into probe values (1)`.execute(trx).catch(() => undefined); // duplicate key, swallowed
    });
    await expect(aborted).rejects.toMatchObject({ code: 'TRANSIENT_FAILURE', retryable: true });
    // The connection is usable again afterwards.
    await inBatchTransaction(tdb.db, undefined, async (trx) => void (await sql`insert into probe values (4)`.execute(trx)));
    expect(await rows()).toEqual([1, 4]);
  });
});

describe('beginStatement', () => {
  it('opens the transaction, with the limit as SET LOCAL when given', () => {
    expect(beginStatement(undefined)).toBe('begin');
    expect(beginStatement(30_000)).toBe("begin; select set_config('statement_timeout', '30000', true)");
  });

  it('refuses anything but a whole number of ms (it is written into the SQL text)', () => {
    for (const bad of [1.5, -1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60]) expect(() => beginStatement(bad)).toThrow(RangeError);
  });
});
