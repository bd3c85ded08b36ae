import { createTestDatabase, waitFor, type TestDatabase } from '@ledgerflow/testkit';
import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WriterConnection } from './writer-connection';

let tdb: TestDatabase;
let writer: WriterConnection;
let durable: WriterConnection;

beforeAll(async () => {
  tdb = await createTestDatabase('projector_writer_connection');
  writer = new WriterConnection({ databaseUrl: tdb.url, applicationName: 'lf-projector:writer-test', statementTimeoutMs: 1500, synchronousCommit: false, logger: pino({ level: 'silent' }) });
  durable = new WriterConnection({ databaseUrl: tdb.url, applicationName: 'lf-projector:writer-test', statementTimeoutMs: 1500, synchronousCommit: true, logger: pino({ level: 'silent' }) });
});
afterAll(async () => {
  await writer?.close();
  await durable?.close();
  await tdb?.drop();
});

const pidOf = async () => (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(await writer.db())).rows[0]!.pid;

describe('WriterConnection', () => {
  it('opens with the batch limit, key-lookup plans and the member name, and keeps one session', async () => {
    const db = await writer.db();
    const { rows } = await sql<{ t: string; s: string; a: string }>`select current_setting('statement_timeout') as t, current_setting('enable_seqscan') as s, current_setting('application_name') as a`.execute(db);
    expect(rows[0]).toEqual({ t: '1500ms', s: 'off', a: 'lf-projector:writer-test' });
    expect(await pidOf()).toBe(await pidOf());
  });

  it('commits without waiting for the WAL flush unless told to (decision 015)', async () => {
    const setting = async (w: WriterConnection) => (await sql<{ c: string }>`select current_setting('synchronous_commit') as c`.execute(await w.db())).rows[0]!.c;
    expect(await setting(writer)).toBe('off');
    expect(await setting(durable)).toBe('on');
  });

  it('opens a new session after its backend was terminated (fencing, a server restart)', async () => {
    const before = await pidOf();
    await sql`select pg_terminate_backend(${before}::int, 5000)`.execute(tdb.db);
    // A statement may still be sent on the dead session before its end is noticed; it fails, the next opens anew.
    const after = await waitFor('a new writer session', async () => pidOf().then((pid) => (pid !== before ? pid : undefined), () => undefined), 5000, 20);
    expect(after).not.toBe(before);
  });

  it('fails a statement in flight when given up, then opens a new session', async () => {
    const before = await pidOf();
    const slow = sql`select pg_sleep(1)`.execute(await writer.db());
    await new Promise((r) => setTimeout(r, 100));
    writer.abandon();
    await expect(slow).rejects.toThrow();
    expect(await pidOf()).not.toBe(before);
  });
});
