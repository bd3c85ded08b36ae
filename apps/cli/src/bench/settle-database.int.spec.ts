import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@ledgerflow/testkit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settleDatabase } from './settle-database';

let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase('cli_settle');
});

afterAll(async () => {
  await t?.drop();
});

describe('settleDatabase', () => {
  it('checkpoints: the redo point of the last checkpoint is at or past WAL written before it', async () => {
    await t.pool.query('create table if not exists settle_probe (id uuid primary key)');
    await t.pool.query('insert into settle_probe values ($1)', [randomUUID()]);
    const written = (await t.pool.query<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn')).rows[0]!.lsn;

    expect(await settleDatabase(t.pool)).toBe(true);

    const r = await t.pool.query<{ covered: boolean }>('select redo_lsn >= $1::pg_lsn as covered from pg_control_checkpoint()', [written]);
    expect(r.rows[0]!.covered).toBe(true);
  });

  it('returns false, and does not throw, for a role that may not checkpoint', async () => {
    const role = `lf_settle_${randomUUID().slice(0, 8)}`;
    await t.pool.query(`create role ${role} login`);
    const url = new URL(t.url);
    url.username = role;
    const pool = new pg.Pool({ connectionString: url.toString(), max: 1 });
    try {
      expect(await settleDatabase(pool)).toBe(false);
    } finally {
      await pool.end();
      await t.pool.query(`drop role ${role}`);
    }
  });
});
