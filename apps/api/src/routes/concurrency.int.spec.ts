import { parseNumeric } from '@ledgerflow/cdc-core';
import { waitFor } from '@ledgerflow/testkit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type ApiHarness } from '../testing/harness';

let h: ApiHarness;
beforeAll(async () => {
  h = await startHarness('api_concurrency');
});
afterAll(async () => {
  await h?.close();
});

/** The snapshot agrees with the fold of the stream: same version (= event count), same balance. */
async function expectConsistent(accountId: string) {
  const [state, folded] = [await h.writeState(accountId), await h.folded(accountId)];
  expect(state!.version).toBe(folded.events);
  expect(state!.balance).toBe(folded.balance);
  return state!;
}

const statusesOf = (responses: { statusCode: number }[]) => responses.map((r) => r.statusCode).sort();

async function backendsWaitingOnLocks(): Promise<number> {
  const rows = await sql<{ n: number }>`
    select count(*)::int as n from pg_stat_activity
    where datname = current_database() and wait_event_type = 'Lock' and pid <> pg_backend_pid()`.execute(h.tdb.db);
  return rows.rows[0]!.n;
}

describe('optimistic concurrency', () => {
  it('two withdrawals with the same expectedVersion: exactly one wins, the other gets 409', async () => {
    const id = await h.open('100.00');
    const responses = await Promise.all([1, 2].map(() => h.post(`/accounts/${id}/withdrawals`, { amount: '60.00', expectedVersion: 1 })));
    expect(statusesOf(responses)).toEqual([201, 409]);
    const loser = responses.find((r) => r.statusCode === 409)!.json();
    expect(loser.error.code).toBe('CONCURRENCY_CONFLICT');
    expect(loser.error.retryable).toBeUndefined();
    expect(await expectConsistent(id)).toEqual({ version: 2, balance: '40.00', status: 'active' });
  });

  it('two deposits without expectedVersion queue on the account lock: both apply, in turn', async () => {
    const id = await h.open('10.00');
    // Hold version 2 of the stream uncommitted: the first deposit waits on that unique key, the
    // second on the account's snapshot lock. Released, both apply one after the other.
    const blocker = await h.tdb.pool.connect();
    try {
      await blocker.query('begin');
      await blocker.query(`insert into events (event_id, stream_id, version, type, data) values ($1, $2, 2, 'MoneyDeposited', '{}')`, [crypto.randomUUID(), id]);
      const racing = [1, 2].map(() => h.post(`/accounts/${id}/deposits`, { amount: '1.00' }));
      await waitFor('both deposits to wait on locks', async () => (await backendsWaitingOnLocks()) >= 2, 10_000, 20);
      await blocker.query('rollback');
      const responses = await Promise.all(racing);
      expect(statusesOf(responses)).toEqual([201, 201]);
      expect(responses.map((r) => r.json().version).sort()).toEqual([2, 3]);
    } finally {
      blocker.release();
    }
    expect(await expectConsistent(id)).toEqual({ version: 3, balance: '12.00', status: 'active' });
  });

  it('a version taken behind the snapshot (a raw insert) is a retryable 409 and writes nothing', async () => {
    const id = await h.open('10.00');
    const blocker = await h.tdb.pool.connect();
    try {
      await blocker.query('begin');
      await blocker.query(`insert into events (event_id, stream_id, version, type, data) values ($1, $2, 2, 'MoneyDeposited', '{"accountId":"x"}')`, [crypto.randomUUID(), id]);
      const racing = h.post(`/accounts/${id}/deposits`, { amount: '1.00' });
      await waitFor('the deposit to wait on the held version', async () => (await backendsWaitingOnLocks()) >= 1, 10_000, 20);
      await blocker.query('commit');
      const response = await racing;
      expect(response.statusCode).toBe(409);
      expect(response.json().error).toMatchObject({ code: 'CONCURRENCY_CONFLICT', retryable: true });
    } finally {
      blocker.release();
    }
    const state = await h.tdb.pool.query('select version, balance::text as balance from account_write_state where stream_id = $1', [id]);
    expect(state.rows[0]).toEqual({ version: 1, balance: '10.00' });
    const events = await h.tdb.pool.query('select count(*)::int as n from events where stream_id = $1', [id]);
    expect(events.rows[0].n).toBe(2);
  });

  it('many concurrent withdrawals never overdraw and leave snapshot = fold', async () => {
    const id = await h.open('50.00');
    const responses = await Promise.all(Array.from({ length: 12 }, () => h.post(`/accounts/${id}/withdrawals`, { amount: '10.00' })));
    for (const r of responses) expect([201, 409, 422], r.body).toContain(r.statusCode);
    const wins = responses.filter((r) => r.statusCode === 201).length;
    expect(wins).toBeGreaterThanOrEqual(1);
    expect(wins).toBeLessThanOrEqual(5);
    expect(await expectConsistent(id)).toEqual({ version: 1 + wins, balance: `${50 - 10 * wins}.00`, status: 'active' });
  });

  it('concurrent opens of one client-chosen accountId: one 201, the rest ACCOUNT_EXISTS', async () => {
    const accountId = crypto.randomUUID();
    const responses = await Promise.all(Array.from({ length: 4 }, () => h.post('/accounts', { ownerName: 'Twin', initialBalance: '1.00', accountId })));
    expect(statusesOf(responses)).toEqual([201, 409, 409, 409]);
    for (const r of responses.filter((x) => x.statusCode === 409)) expect(r.json().error.code).toBe('ACCOUNT_EXISTS');
    expect(await expectConsistent(accountId)).toEqual({ version: 1, balance: '1.00', status: 'active' });
  });
});

describe('transfers', () => {
  it('opposing concurrent transfers never deadlock into a 500 and conserve money', async () => {
    const a = await h.open('1000.00');
    const b = await h.open('1000.00');
    const responses = await Promise.all(
      Array.from({ length: 16 }, (_, i) => h.post('/transfers', { fromAccountId: i % 2 ? a : b, toAccountId: i % 2 ? b : a, amount: `${i + 1}.00` })),
    );
    for (const r of responses) expect([201, 409], r.body).toContain(r.statusCode);
    expect(responses.some((r) => r.statusCode === 201)).toBe(true);
    const [sa, sb] = [await expectConsistent(a), await expectConsistent(b)];
    expect(parseNumeric(sa.balance) + parseNumeric(sb.balance)).toBe(200_000n);
  });

  it('is atomic: when the second half fails after both events were inserted, nothing stays', async () => {
    const from = await h.open('100.00');
    const to = await h.open('100.00');
    // A trigger moves the target's snapshot while the transfer runs, so its version guard
    // refuses the write after the events are already inserted: everything must roll back.
    await sql`create function lf_test_bump() returns trigger language plpgsql as $$
      begin update account_write_state set version = version + 100 where stream_id = new.stream_id; return new; end $$`.execute(h.tdb.db);
    await sql`create trigger lf_test_bump after insert on events for each row
      when (new.stream_id = ${sql.lit(to)}::uuid) execute function lf_test_bump()`.execute(h.tdb.db);
    try {
      const before = await h.snapshot();
      const res = await h.post('/transfers', { fromAccountId: from, toAccountId: to, amount: '30.00' });
      expect(res.statusCode, res.body).toBe(409);
      expect(res.json().error.code).toBe('CONCURRENCY_CONFLICT');
      expect(await h.snapshot()).toEqual(before);
    } finally {
      await sql`drop trigger lf_test_bump on events`.execute(h.tdb.db);
      await sql`drop function lf_test_bump()`.execute(h.tdb.db);
    }
    expect(await expectConsistent(from)).toMatchObject({ version: 1, balance: '100.00' });
    expect(await expectConsistent(to)).toMatchObject({ version: 1, balance: '100.00' });
  });
});
