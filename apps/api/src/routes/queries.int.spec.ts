import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type ApiHarness } from '../testing/harness';

/** The read models are written by the projector; here they are seeded with SQL directly. */
let h: ApiHarness;
const account = '3f2a1b7c-0000-4000-8000-00000000abcd';
const empty = '3f2a1b7c-0000-4000-8000-00000000eeee';

interface Seed {
  readonly id: string;
  readonly type: 'DEPOSIT' | 'WITHDRAWAL';
  readonly amount: string;
  readonly balanceAfter: string;
  readonly position: number;
  readonly at: string;
}

// Positions 3 and 4 share one instant (one transaction): position breaks the tie. The
// microsecond-apart pair checks the cursor keeps PostgreSQL's full precision.
const seeds: Seed[] = [
  { id: 'a0000000-0000-4000-8000-000000000001', type: 'DEPOSIT', amount: '100.00', balanceAfter: '100.00', position: 1, at: '2024-05-01T10:00:00.000001Z' },
  { id: 'a0000000-0000-4000-8000-000000000002', type: 'DEPOSIT', amount: '0.30', balanceAfter: '100.30', position: 2, at: '2024-05-01T10:00:00.000002Z' },
  { id: 'a0000000-0000-4000-8000-000000000003', type: 'WITHDRAWAL', amount: '0.10', balanceAfter: '100.20', position: 3, at: '2024-05-02T08:00:00.5Z' },
  { id: 'a0000000-0000-4000-8000-000000000004', type: 'DEPOSIT', amount: '5.00', balanceAfter: '105.20', position: 4, at: '2024-05-02T08:00:00.5Z' },
  { id: 'a0000000-0000-4000-8000-000000000005', type: 'WITHDRAWAL', amount: '99999999999999.99', balanceAfter: '0.00', position: 7, at: '2024-05-03T00:00:00Z' },
  { id: 'a0000000-0000-4000-8000-000000000006', type: 'DEPOSIT', amount: '1.00', balanceAfter: '1.00', position: 9, at: '2024-05-04T00:00:00Z' },
  { id: 'a0000000-0000-4000-8000-000000000007', type: 'DEPOSIT', amount: '2.00', balanceAfter: '3.00', position: 10, at: '2024-05-05T00:00:00Z' },
];
const newestFirst = [...seeds].reverse().map((s) => s.id);

beforeAll(async () => {
  h = await startHarness('api_queries');
  await sql`
    insert into account_projections (account_id, owner_name, balance, status, version, last_position, created_at, updated_at)
    values (${account}::uuid, 'Grace Hopper', 0.30, 'active', 8, 10, '2024-05-01T09:59:59.123Z', '2024-05-05T00:00:00Z'),
           (${empty}::uuid, 'Nobody', 0, 'closed', 2, 11, '2024-05-01T00:00:00Z', '2024-05-06T00:00:00Z')`.execute(h.tdb.db);
  await sql`
    insert into transaction_projections (transaction_id, account_id, type, amount, balance_after, position, occurred_at)
    select * from unnest(${seeds.map((s) => s.id)}::uuid[], ${seeds.map(() => account)}::uuid[], ${seeds.map((s) => s.type)}::text[],
      ${seeds.map((s) => s.amount)}::numeric[], ${seeds.map((s) => s.balanceAfter)}::numeric[], ${seeds.map((s) => s.position)}::bigint[],
      ${seeds.map((s) => s.at)}::timestamptz[])`.execute(h.tdb.db);
});
afterAll(async () => {
  await h?.close();
});

describe('GET /accounts/:id', () => {
  it('returns the projected row with numerics exactly as stored', async () => {
    const res = await h.get(`/accounts/${account.toUpperCase()}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      accountId: account,
      ownerName: 'Grace Hopper',
      balance: '0.30',
      status: 'active',
      version: 8,
      lastPosition: '10',
      createdAt: '2024-05-01T09:59:59.123Z',
      updatedAt: '2024-05-05T00:00:00.000Z',
      stale: false,
    });
  });

  it('answers 404 for an unknown (or not yet projected) account and 400 for a malformed id', async () => {
    const missing = await h.get('/accounts/3f2a1b7c-0000-4000-8000-000000000000');
    expect([missing.statusCode, missing.json().error.code]).toEqual([404, 'ACCOUNT_NOT_FOUND']);
    const bad = await h.get('/accounts/not-a-uuid');
    expect([bad.statusCode, bad.json().error]).toEqual([400, expect.objectContaining({ code: 'VALIDATION_FAILED', field: 'id' })]);
  });
});

describe('GET /accounts/:id/transactions', () => {
  it('returns items newest first with the documented shape', async () => {
    const res = await h.get(`/accounts/${account}/transactions`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.nextCursor).toBeNull();
    expect(body.items.map((i: { transactionId: string }) => i.transactionId)).toEqual(newestFirst);
    expect(body.items[2]).toEqual({ transactionId: seeds[4]!.id, type: 'WITHDRAWAL', amount: '99999999999999.99', balanceAfter: '0.00', position: '7', occurredAt: '2024-05-03T00:00:00.000Z' });
    expect(body.items.find((i: { position: string }) => i.position === '2').amount).toBe('0.30');
  });

  it.each([1, 2, 3, 6, 7, 200])('pages through everything with limit=%i, without gaps or repeats', async (limit) => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `/accounts/${account}/transactions?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const res = await h.get(url);
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json<{ items: { transactionId: string }[]; nextCursor: string | null }>();
      expect(body.items.length).toBeLessThanOrEqual(limit);
      seen.push(...body.items.map((i) => i.transactionId));
      cursor = body.nextCursor;
      pages++;
    } while (cursor !== null && pages < 20);
    expect(seen).toEqual(newestFirst);
    expect(pages).toBe(Math.max(1, Math.ceil(seeds.length / limit)));
  });

  it('returns an empty page for a known account without transactions', async () => {
    const res = await h.get(`/accounts/${empty}/transactions`);
    expect([res.statusCode, res.json()]).toEqual([200, { items: [], nextCursor: null }]);
  });

  it('answers 404 for an unknown account', async () => {
    const res = await h.get('/accounts/3f2a1b7c-0000-4000-8000-000000000000/transactions');
    expect([res.statusCode, res.json().error.code]).toEqual([404, 'ACCOUNT_NOT_FOUND']);
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=201', 'limit'],
    ['limit=ten', 'limit'],
    ['limit=1&limit=2', 'limit'],
    ['cursor=garbage!', 'cursor'],
    [`cursor=${Buffer.from('{"t":"2024-02-31T00:00:00.000000Z","p":"1"}').toString('base64url')}`, 'cursor'],
    [`cursor=${Buffer.from('{"t":"2024-01-01T00:00:00.000000Z","p":"-1"}').toString('base64url')}`, 'cursor'],
    ['cursor=', 'cursor'],
  ])('refuses %s with 400 naming %s', async (query, field) => {
    const res = await h.get(`/accounts/${account}/transactions?${query}`);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'VALIDATION_FAILED', field });
  });
});
