import { randomUUID } from 'node:crypto';
import { verifyReadModels, type LedgerDatabase } from '@ledgerflow/sinks';
import { createTestDatabase, type TestDatabase } from '@ledgerflow/testkit';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { projectBatch } from './project-batch';
import { allEvents, appendEvents, created, deposited } from './testing/ledger-fixtures';

let tdb: TestDatabase;
let pool: pg.Pool;
let logged: Kysely<LedgerDatabase>;
/** The first word of every statement sent, in order. */
const sent: string[] = [];

beforeAll(async () => {
  tdb = await createTestDatabase('projector_round_trips');
  pool = new pg.Pool({ connectionString: tdb.url, max: 1 });
  logged = new Kysely<LedgerDatabase>({
    dialect: new PostgresDialect({ pool }),
    log: (e) => void sent.push(e.query.sql.trim().split(/\s+/)[0]!.replace(/;$/, '').toLowerCase()),
  });
});
afterAll(async () => {
  await logged?.destroy();
  await tdb?.drop();
});
beforeEach(() => {
  sent.length = 0;
});

const eventsOf = async (...accounts: string[]) => (await allEvents(tdb.db)).filter((e) => accounts.includes(e.streamId));

describe('round trips of a batch', () => {
  it('projects the common batch in two statements (read, write) and no explicit transaction', async () => {
    const a = randomUUID();
    const b = randomUUID();
    await appendEvents(tdb.db, a, [created(a), deposited(a, '10.00')]);
    await appendEvents(tdb.db, b, [created(b), deposited(b, '2.50'), deposited(b, '0.50')]);
    expect(await projectBatch(logged, 1, await eventsOf(a, b))).toMatchObject({ applied: 5, failures: 0, held: 0 });
    expect(sent).toEqual(['select', 'with']);
    expect((await verifyReadModels(tdb.db)).total).toBe(0);
  });

  it('reads again in a transaction when an account of the batch is parked, and holds its events there', async () => {
    const c = randomUUID();
    const d = randomUUID();
    await appendEvents(tdb.db, c, [created(c)]);
    await appendEvents(tdb.db, d, [created(d), deposited(d, '1.00')]);
    await sql`insert into parked_accounts (account_id, partition, code, message, details, failed_event_id, failed_version)
              values (${d}::uuid, 1, 'EVENT_INVALID', 'test', '{}'::jsonb, ${randomUUID()}::uuid, 1)`.execute(tdb.db);
    expect(await projectBatch(logged, 1, await eventsOf(c, d))).toMatchObject({ applied: 1, held: 2 });
    expect(sent[0]).toBe('select'); // the read that saw the parked account
    expect(sent[1]).toBe('begin'); // then the transaction, from the start
    expect(sent.at(-1)).toBe('commit');
  });
});
