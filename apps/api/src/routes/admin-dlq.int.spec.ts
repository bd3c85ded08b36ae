import { randomUUID } from 'node:crypto';
import { MAX_SKIP_REASON_LENGTH } from '@ledgerflow/sinks';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type ApiHarness, type Caller } from '../testing/harness';
import { created, deposited, parkWithEvents, type ParkedSeed } from '../testing/parked';

let h: ApiHarness;
beforeAll(async () => {
  h = await startHarness('api_admin_dlq', { captureLogs: true });
});
afterAll(async () => {
  await h?.close();
});

/** Opened with 1.00, a poison deposit (-1.00) at version 2, then deposits of 1.00 and 2.00. */
const poisonedAtTwo = () => parkWithEvents(h.tdb.db, (id) => [created(id), deposited(id, '-1.00'), deposited(id, '1.00'), deposited(id, '2.00')]);
const redrive = (accountId: string, as: Caller = 'admin') => h.post(`/admin/dlq/${accountId}/redrive`, undefined, as);
const skip = (eventId: string, body: unknown, as: Caller = 'admin') => h.post(`/admin/events/${eventId}/skip`, body, as);

/** What the dead-letter store holds for one account, straight from PostgreSQL. */
async function stored(accountId: string): Promise<{ parked: number; attempts: number | null; deadLetters: number; skipped: number }> {
  const r = await sql<{ parked: number; attempts: number | null; dead: number; skipped: number }>`
    select (select count(*) from parked_accounts where account_id = ${accountId}::uuid)::int as parked,
      (select attempts from parked_accounts where account_id = ${accountId}::uuid) as attempts,
      (select count(*) from dead_letter_events where account_id = ${accountId}::uuid)::int as dead,
      (select count(*) from skipped_events where account_id = ${accountId}::uuid)::int as skipped`.execute(h.tdb.db);
  const row = r.rows[0]!;
  return { parked: row.parked, attempts: row.attempts, deadLetters: row.dead, skipped: row.skipped };
}

const errorOf = (res: { statusCode: number; json: () => unknown }) => [res.statusCode, (res.json() as { error: { code: string; reason?: string; field?: string } }).error];

describe('admin only', () => {
  it('refuses strangers (401) and read or write tokens (403) on every DLQ route, changing nothing', async () => {
    const p = await poisonedAtTwo();
    const before = await stored(p.accountId);
    const calls = (as: Caller) => [
      h.get('/admin/dlq', as),
      h.get(`/admin/dlq/${p.accountId}`, as),
      redrive(p.accountId, as),
      skip(p.eventIds[1]!, { reason: 'not allowed' }, as),
    ];
    for (const [as, status] of [['anonymous', 401], ['read', 403], ['write', 403]] as const) {
      for (const res of await Promise.all(calls(as))) expect([res.statusCode, res.json().error.code], res.body).toEqual([status, status === 401 ? 'UNAUTHENTICATED' : 'FORBIDDEN']);
    }
    expect(await stored(p.accountId)).toEqual(before);
  });
});

describe('GET /admin/dlq and /admin/dlq/:accountId', () => {
  let p: ParkedSeed;
  beforeAll(async () => {
    p = await poisonedAtTwo();
  });

  it('lists the parked account with its code, failed version, held count and attempts, and the store counts', async () => {
    const res = await h.get('/admin/dlq', 'admin');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.accounts).toContainEqual(
      expect.objectContaining({ accountId: p.accountId, code: 'EVENT_DATA_INVALID', failedEventId: p.eventIds[1], failedVersion: 2, heldCount: 2, attempts: 0, projectedVersion: 1, parkedAt: expect.any(String) }),
    );
    const counts = await sql<{ parked: number; dead: number; skipped: number }>`
      select (select count(*) from parked_accounts)::int as parked, (select count(*) from dead_letter_events)::int as dead, (select count(*) from skipped_events)::int as skipped`.execute(h.tdb.db);
    const c = counts.rows[0]!;
    expect(body.summary).toEqual({ parkedAccounts: c.parked, deadLetterEvents: c.dead, skippedEvents: c.skipped });
    expect(body.accounts).toHaveLength(c.parked);
    expect((await h.get('/admin/dlq?limit=1', 'admin')).json().accounts).toHaveLength(1);
    expect(errorOf(await h.get('/admin/dlq?limit=0', 'admin'))).toEqual([400, expect.objectContaining({ code: 'VALIDATION_FAILED', field: 'limit' })]);
  });

  it('shows the failed and held events with their codes, in version order, whatever the case of the id', async () => {
    const res = await h.get(`/admin/dlq/${p.accountId.toUpperCase()}`, 'admin');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect([body.accountId, body.parked.accountId, body.skipped]).toEqual([p.accountId, p.accountId, []]);
    expect(body.events.map((e: { eventId: string; version: number; reason: string; code: string }) => [e.eventId, e.version, e.reason, e.code])).toEqual([
      [p.eventIds[1], 2, 'failed', 'EVENT_DATA_INVALID'],
      [p.eventIds[2], 3, 'held', 'EVENT_DATA_INVALID'],
      [p.eventIds[3], 4, 'held', 'EVENT_DATA_INVALID'],
    ]);
    expect(body.events[0].data).toMatchObject({ amount: '-1.00' });
  });

  it('answers 404 ACCOUNT_NOT_PARKED for an account that is not parked, 400 for a malformed id', async () => {
    expect(errorOf(await h.get(`/admin/dlq/${randomUUID()}`, 'admin'))).toEqual([404, expect.objectContaining({ code: 'ACCOUNT_NOT_PARKED' })]);
    expect(errorOf(await h.get('/admin/dlq/not-a-uuid', 'admin'))).toEqual([400, expect.objectContaining({ code: 'VALIDATION_FAILED', field: 'accountId' })]);
  });

  it('GET /accounts/:id says the parked account\'s row is stale', async () => {
    const res = await h.get(`/accounts/${p.accountId}`);
    expect(res.json()).toMatchObject({ accountId: p.accountId, version: 1, balance: '1.00', stale: true });
  });
});

describe('POST /admin/dlq/:accountId/redrive', () => {
  it('answers 409 with the failure while the event is still broken, counting the attempt, then 200 once the row is fixed', async () => {
    const p = await poisonedAtTwo();
    const still = await redrive(p.accountId);
    expect(still.statusCode, still.body).toBe(409);
    expect(still.json()).toMatchObject({
      error: { code: 'ACCOUNT_STILL_PARKED' },
      unparked: false,
      accountId: p.accountId,
      applied: 0,
      version: 1,
      attempts: 1,
      held: 2,
      failure: { eventId: p.eventIds[1], version: 2, code: 'EVENT_DATA_INVALID' },
    });
    expect(await stored(p.accountId)).toEqual({ parked: 1, attempts: 1, deadLetters: 3, skipped: 0 });
    expect((await redrive(p.accountId)).json().attempts).toBe(2);

    // The operator corrects the event in the store; the redrive re-reads it from there.
    await sql`update events set data = jsonb_set(data, '{amount}', '"5.00"') where event_id = ${p.eventIds[1]!}::uuid`.execute(h.tdb.db);
    const fixed = await redrive(p.accountId.toUpperCase());
    expect([fixed.statusCode, fixed.json()], fixed.body).toEqual([200, { unparked: true, accountId: p.accountId, applied: 3, version: 4 }]);
    expect(await stored(p.accountId)).toEqual({ parked: 0, attempts: null, deadLetters: 0, skipped: 0 });
    expect((await h.get(`/accounts/${p.accountId}`)).json()).toMatchObject({ version: 4, balance: '9.00', stale: false });
    expect((await h.get(`/accounts/${p.accountId}/transactions`)).json().items).toHaveLength(3);

    // Nothing is parked any more: show and redrive both say so.
    expect(errorOf(await h.get(`/admin/dlq/${p.accountId}`, 'admin'))).toEqual([404, expect.objectContaining({ code: 'ACCOUNT_NOT_PARKED' })]);
    expect(errorOf(await redrive(p.accountId))).toEqual([404, expect.objectContaining({ code: 'ACCOUNT_NOT_PARKED' })]);
    expect(h.logs()).toContain('"msg":"dlq redrive"');
  });

  it('refuses malformed ids and any body but an empty object (400), before touching the store', async () => {
    const p = await poisonedAtTwo();
    expect(errorOf(await redrive('not-a-uuid'))).toEqual([400, expect.objectContaining({ field: 'accountId' })]);
    expect(errorOf(await h.post(`/admin/dlq/${p.accountId}/redrive`, { force: true }, 'admin'))).toEqual([400, expect.objectContaining({ field: 'force' })]);
    expect(await stored(p.accountId)).toMatchObject({ parked: 1, attempts: 0 });
    expect((await h.post(`/admin/dlq/${p.accountId}/redrive`, {}, 'admin')).statusCode).toBe(409);
  });
});

describe('POST /admin/events/:eventId/skip', () => {
  it('records a skip once (200), after which a redrive applies past the event', async () => {
    const p = await poisonedAtTwo();
    const first = await skip(p.eventIds[1]!.toUpperCase(), { reason: '  refund entered twice ' });
    expect([first.statusCode, first.json()], first.body).toEqual([200, { eventId: p.eventIds[1], accountId: p.accountId, version: 2, type: 'MoneyDeposited', recorded: true }]);
    expect((await skip(p.eventIds[1]!, { reason: 'again' })).json()).toMatchObject({ recorded: false });
    const shown = (await h.get(`/admin/dlq/${p.accountId}`, 'admin')).json();
    expect(shown.skipped.map((s: { version: number; reason: string }) => [s.version, s.reason])).toEqual([[2, 'refund entered twice']]);

    const res = await redrive(p.accountId);
    expect([res.statusCode, res.json()], res.body).toEqual([200, { unparked: true, accountId: p.accountId, applied: 3, version: 4 }]);
    expect((await h.get(`/accounts/${p.accountId}`)).json()).toMatchObject({ version: 4, balance: '4.00', stale: false });
    expect(await stored(p.accountId)).toMatchObject({ parked: 0, deadLetters: 0, skipped: 1 });
    expect(h.logs()).toContain('"msg":"dlq skip"');
    expect(h.logs()).not.toContain('refund entered twice');
  });

  it('refuses with 422 SKIP_REFUSED and why, or 404 for an unknown event, recording nothing', async () => {
    const p = await poisonedAtTwo();
    const opening = await parkWithEvents(h.tdb.db, (id) => [created(id, '1.00', ''), deposited(id, '1.00')]);
    const healthy = await h.open('5.00'); // its events exist, its account is not parked
    const [healthyEvent] = (await sql<{ event_id: string }>`select event_id from events where stream_id = ${healthy}::uuid`.execute(h.tdb.db)).rows;
    const cases = [
      [p.eventIds[0]!, 422, 'SKIP_REFUSED', 'ALREADY_APPLIED'],
      [opening.eventIds[0]!, 422, 'SKIP_REFUSED', 'OPENS_ACCOUNT'],
      [healthyEvent!.event_id, 422, 'SKIP_REFUSED', 'ACCOUNT_NOT_PARKED'],
      [randomUUID(), 404, 'EVENT_NOT_FOUND', undefined],
    ] as const;
    for (const [eventId, status, code, reason] of cases) {
      const res = await skip(eventId, { reason: 'try' });
      expect(errorOf(res), res.body).toEqual([status, { code, message: expect.any(String), ...(reason ? { reason } : {}) }]);
    }
    expect((await stored(p.accountId)).skipped + (await stored(opening.accountId)).skipped + (await stored(healthy)).skipped).toBe(0);
  });

  it('refuses bad input with 400 naming the field', async () => {
    const p = await poisonedAtTwo();
    const eventId = p.eventIds[1]!;
    const cases: [string, unknown, string][] = [
      ['not-a-uuid', { reason: 'x' }, 'eventId'],
      [eventId, {}, 'reason'],
      [eventId, { reason: '   ' }, 'reason'],
      [eventId, { reason: 7 }, 'reason'],
      [eventId, { reason: 'x'.repeat(MAX_SKIP_REASON_LENGTH + 1) }, 'reason'],
      [eventId, { reason: 'nul\u0000byte' }, 'reason'],
      [eventId, { reason: 'x', force: true }, 'force'],
      [eventId, undefined, 'body'],
    ];
    for (const [id, body, field] of cases) expect(errorOf(await skip(id, body)), `${id} ${JSON.stringify(body)}`).toEqual([400, expect.objectContaining({ code: 'VALIDATION_FAILED', field })]);
    expect(await stored(p.accountId)).toMatchObject({ skipped: 0 });
  });
});
