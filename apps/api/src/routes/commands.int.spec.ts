import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type ApiHarness } from '../testing/harness';
import { bearer } from '../testing/tokens';

let h: ApiHarness;
beforeAll(async () => {
  h = await startHarness('api_commands');
});
afterAll(async () => {
  await h?.close();
});

async function eventsOf(eventIds: readonly string[]) {
  const rows = await sql<{ event_id: string; stream_id: string; version: number; type: string; data: Record<string, string>; metadata: Record<string, string>; global_position: string }>`
    select event_id, stream_id, version, type, data, metadata, global_position::text as global_position
    from events where event_id = any(${[...eventIds]}::uuid[]) order by global_position`.execute(h.tdb.db);
  return rows.rows;
}

async function maxPosition(eventIds: readonly string[]): Promise<string> {
  const rows = await sql<{ max: string }>`select max(global_position)::text as max from events where event_id = any(${[...eventIds]}::uuid[])`.execute(h.tdb.db);
  return rows.rows[0]!.max;
}

describe('POST /accounts', () => {
  it('opens an account: 201, AccountCreated at version 1, snapshot written, metadata with the request id', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/accounts', payload: { ownerName: 'Ada', initialBalance: '100.00' }, headers: { 'x-request-id': 'req-abc', ...bearer('write') } });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toEqual({ accountId: expect.any(String), ownerName: 'Ada', version: 1, balance: '100.00', status: 'active', position: expect.stringMatching(/^[1-9][0-9]*$/), eventIds: [expect.any(String)] });
    expect(res.headers['location']).toBe(`/accounts/${body.accountId}`);
    expect(res.headers['x-request-id']).toBe('req-abc');
    const [event] = await eventsOf(body.eventIds);
    expect(event).toMatchObject({ stream_id: body.accountId, version: 1, type: 'AccountCreated', data: { accountId: body.accountId, ownerName: 'Ada', initialBalance: '100.00' }, global_position: body.position });
    expect(event!.metadata).toEqual({ correlationId: 'req-abc', causationId: expect.any(String), command: 'OpenAccount' });
    expect(await h.writeState(body.accountId)).toEqual({ version: 1, balance: '100.00', status: 'active' });
  });

  it('uses a client-chosen accountId, normalised to lower case', async () => {
    const id = crypto.randomUUID();
    const res = await h.post('/accounts', { ownerName: 'Bob', initialBalance: '0.00', accountId: id.toUpperCase() });
    expect(res.statusCode).toBe(201);
    expect(res.json().accountId).toBe(id);
    expect(await h.writeState(id)).toEqual({ version: 1, balance: '0.00', status: 'active' });
  });
});

describe('deposits, withdrawals and close', () => {
  it('appends at the next versions and keeps the snapshot in step', async () => {
    const id = await h.open('10.00');
    const dep = await h.post(`/accounts/${id}/deposits`, { amount: '5.25', expectedVersion: 1 });
    expect(dep.statusCode).toBe(201);
    expect(dep.json()).toEqual({
      accountId: id,
      transactionId: expect.any(String),
      amount: '5.25',
      version: 2,
      balance: '15.25',
      status: 'active',
      position: expect.any(String),
      eventIds: [expect.any(String)],
    });
    const wd = await h.post(`/accounts/${id}/withdrawals`, { amount: '15.25' });
    expect(wd.statusCode).toBe(201);
    expect(wd.json()).toMatchObject({ version: 3, balance: '0.00' });
    const [event] = await eventsOf(wd.json().eventIds);
    expect(event).toMatchObject({ type: 'MoneyWithdrawn', version: 3, data: { accountId: id, amount: '15.25', transactionId: wd.json().transactionId } });
    const close = await h.post(`/accounts/${id}/close`, { reason: 'done', expectedVersion: 3 });
    expect(close.statusCode).toBe(200);
    expect(close.json()).toMatchObject({ accountId: id, version: 4, status: 'closed', balance: '0.00' });
    expect(await h.writeState(id)).toEqual({ version: 4, balance: '0.00', status: 'closed' });
    expect(await h.folded(id)).toEqual({ events: 4, balance: '0.00' });
  });
});

describe('money precision', () => {
  it('"0.10" + "0.20" is exactly "0.30"', async () => {
    const id = await h.open('0.00');
    await h.post(`/accounts/${id}/deposits`, { amount: '0.10' });
    const res = await h.post(`/accounts/${id}/deposits`, { amount: '0.20' });
    expect(res.json().balance).toBe('0.30');
    expect((await h.writeState(id))!.balance).toBe('0.30');
  });

  it('stores "99999999999999.99" exactly, in the event and the snapshot', async () => {
    const id = await h.open('0.00');
    const res = await h.post(`/accounts/${id}/deposits`, { amount: '99999999999999.99' });
    expect(res.statusCode).toBe(201);
    const [event] = await eventsOf(res.json().eventIds);
    expect(event!.data['amount']).toBe('99999999999999.99');
    expect((await h.writeState(id))!.balance).toBe('99999999999999.99');
    const more = await h.post(`/accounts/${id}/deposits`, { amount: '0.01' });
    expect(more.json().balance).toBe('100000000000000.00');
  });

  it('accepts the numeric(20,2) maximum as an initial balance', async () => {
    const id = await h.open('999999999999999999.99');
    expect((await h.writeState(id))!.balance).toBe('999999999999999999.99');
  });
});

describe('POST /transfers', () => {
  it('appends a withdrawal and a deposit sharing a transferId, in one transaction', async () => {
    const from = await h.open('50.00');
    const to = await h.open('1.00');
    const res = await h.post('/transfers', { fromAccountId: from, toAccountId: to, amount: '20.50' });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toEqual({
      transferId: expect.any(String),
      amount: '20.50',
      fromAccountId: from,
      toAccountId: to,
      fromVersion: 2,
      toVersion: 2,
      fromBalance: '29.50',
      toBalance: '21.50',
      withdrawalTransactionId: expect.any(String),
      depositTransactionId: expect.any(String),
      position: expect.any(String),
      eventIds: [expect.any(String), expect.any(String)],
    });
    expect(body.withdrawalTransactionId).not.toBe(body.depositTransactionId);
    const events = await eventsOf(body.eventIds);
    const withdrawal = events.find((e) => e.type === 'MoneyWithdrawn')!;
    const deposit = events.find((e) => e.type === 'MoneyDeposited')!;
    expect(withdrawal).toMatchObject({ stream_id: from, version: 2, data: { transferId: body.transferId, transactionId: body.withdrawalTransactionId, amount: '20.50' } });
    expect(deposit).toMatchObject({ stream_id: to, version: 2, data: { transferId: body.transferId, transactionId: body.depositTransactionId, amount: '20.50' } });
    // Sorted stream order decides which comes first; both share the command's metadata.
    expect(events.map((e) => e.stream_id)).toEqual([from, to].sort());
    expect(withdrawal.metadata).toEqual(deposit.metadata);
    expect(await h.writeState(from)).toMatchObject({ version: 2, balance: '29.50' });
    expect(await h.writeState(to)).toMatchObject({ version: 2, balance: '21.50' });
  });
});

describe('response position', () => {
  it('equals max(global_position) of the events the command appended', async () => {
    const a = await h.open('10.00');
    const b = await h.open('10.00');
    for (const res of [
      await h.post(`/accounts/${a}/deposits`, { amount: '1.00' }),
      await h.post('/transfers', { fromAccountId: a, toAccountId: b, amount: '2.00' }),
      await h.post('/transfers', { fromAccountId: b, toAccountId: a, amount: '3.00' }),
      await h.post(`/accounts/${b}/close`, { reason: 'r' }),
    ]) {
      expect(res.statusCode, res.body).toBeLessThan(300);
      expect(res.json().position).toBe(await maxPosition(res.json().eventIds));
    }
  });
});
