import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type ApiHarness } from '../testing/harness';
import { bearer } from '../testing/tokens';

/**
 * Every refused command answers with its catalogue code AND writes nothing: the events count
 * and every account_write_state row are compared before and after.
 */
let h: ApiHarness;
const ids = { rich: '', poor: '', closed: '', full: '' };
const unknown = '00000000-0000-4000-8000-000000000404';

beforeAll(async () => {
  h = await startHarness('api_command_errors');
  ids.rich = await h.open('100.00');
  ids.poor = await h.open('5.00');
  ids.closed = await h.open('7.00');
  ids.full = await h.open('999999999999999999.99');
  expect((await h.post(`/accounts/${ids.closed}/close`, { reason: 'test' })).statusCode).toBe(200);
});
afterAll(async () => {
  await h?.close();
});

type Case = readonly [name: string, url: () => string, body: () => unknown, status: number, code: string, field?: string];

async function expectRefusedWithoutWrites(url: string, body: unknown, status: number, code: string, field?: string) {
  const before = await h.snapshot();
  const res = await h.post(url, body);
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const error = res.json().error;
  expect(error.code).toBe(code);
  expect(typeof error.message).toBe('string');
  if (field !== undefined) expect(error.field).toBe(field);
  expect(await h.snapshot()).toEqual(before);
}

const moneyCases = (path: string): Case[] =>
  ['0.1', '1.005', 0.1, 5, '1e3', '-5.00', '0.00', '', null, '1,00', '1000000000000000000.00'].map((amount) => [
    `${path} amount ${JSON.stringify(amount)}`,
    () => `/accounts/${ids.rich}/${path}`,
    () => ({ amount }),
    400,
    'VALIDATION_FAILED',
    'amount',
  ]);

const cases: Case[] = [
  ['open without ownerName', () => '/accounts', () => ({ initialBalance: '1.00' }), 400, 'VALIDATION_FAILED', 'ownerName'],
  ['open with a number balance', () => '/accounts', () => ({ ownerName: 'A', initialBalance: 100 }), 400, 'VALIDATION_FAILED', 'initialBalance'],
  ['open with a negative balance', () => '/accounts', () => ({ ownerName: 'A', initialBalance: '-1.00' }), 400, 'VALIDATION_FAILED', 'initialBalance'],
  ['open with one fraction digit', () => '/accounts', () => ({ ownerName: 'A', initialBalance: '1.5' }), 400, 'VALIDATION_FAILED', 'initialBalance'],
  ['open with a bad accountId', () => '/accounts', () => ({ ownerName: 'A', initialBalance: '1.00', accountId: 'nope' }), 400, 'VALIDATION_FAILED', 'accountId'],
  ['open with an unknown field', () => '/accounts', () => ({ ownerName: 'A', initialBalance: '1.00', owner: 'x' }), 400, 'VALIDATION_FAILED', 'owner'],
  ['open an existing accountId', () => '/accounts', () => ({ ownerName: 'A', initialBalance: '1.00', accountId: ids.rich }), 409, 'ACCOUNT_EXISTS', 'accountId'],
  ['open without a body', () => '/accounts', () => undefined, 400, 'VALIDATION_FAILED', 'body'],
  ...moneyCases('deposits'),
  ...moneyCases('withdrawals'),
  ['deposit without amount', () => `/accounts/${ids.rich}/deposits`, () => ({}), 400, 'VALIDATION_FAILED', 'amount'],
  ['deposit with a string expectedVersion', () => `/accounts/${ids.rich}/deposits`, () => ({ amount: '1.00', expectedVersion: '1' }), 400, 'VALIDATION_FAILED', 'expectedVersion'],
  ['deposit at a stale expectedVersion', () => `/accounts/${ids.rich}/deposits`, () => ({ amount: '1.00', expectedVersion: 7 }), 409, 'CONCURRENCY_CONFLICT'],
  ['deposit to an unknown account', () => `/accounts/${unknown}/deposits`, () => ({ amount: '1.00' }), 404, 'ACCOUNT_NOT_FOUND'],
  ['deposit to a malformed id', () => '/accounts/xyz/deposits', () => ({ amount: '1.00' }), 400, 'VALIDATION_FAILED', 'id'],
  ['deposit to a closed account', () => `/accounts/${ids.closed}/deposits`, () => ({ amount: '1.00' }), 422, 'ACCOUNT_CLOSED'],
  ['deposit beyond numeric(20,2)', () => `/accounts/${ids.full}/deposits`, () => ({ amount: '0.01' }), 422, 'BALANCE_LIMIT_EXCEEDED', 'amount'],
  ['withdraw beyond the balance', () => `/accounts/${ids.poor}/withdrawals`, () => ({ amount: '5.01' }), 422, 'INSUFFICIENT_FUNDS', 'amount'],
  ['withdraw from a closed account', () => `/accounts/${ids.closed}/withdrawals`, () => ({ amount: '1.00' }), 422, 'ACCOUNT_CLOSED'],
  ['withdraw from an unknown account', () => `/accounts/${unknown}/withdrawals`, () => ({ amount: '1.00' }), 404, 'ACCOUNT_NOT_FOUND'],
  ['withdraw at a stale expectedVersion', () => `/accounts/${ids.poor}/withdrawals`, () => ({ amount: '1.00', expectedVersion: 2 }), 409, 'CONCURRENCY_CONFLICT'],
  ['close a closed account', () => `/accounts/${ids.closed}/close`, () => ({ reason: 'again' }), 422, 'ACCOUNT_CLOSED'],
  ['close without reason', () => `/accounts/${ids.rich}/close`, () => ({}), 400, 'VALIDATION_FAILED', 'reason'],
  ['close an unknown account', () => `/accounts/${unknown}/close`, () => ({ reason: 'x' }), 404, 'ACCOUNT_NOT_FOUND'],
  ['close at a stale expectedVersion', () => `/accounts/${ids.rich}/close`, () => ({ reason: 'x', expectedVersion: 0 }), 409, 'CONCURRENCY_CONFLICT'],
  ['transfer to the same account', () => '/transfers', () => ({ fromAccountId: ids.rich, toAccountId: ids.rich, amount: '1.00' }), 422, 'SAME_ACCOUNT'],
  ['transfer beyond the balance', () => '/transfers', () => ({ fromAccountId: ids.poor, toAccountId: ids.rich, amount: '5.01' }), 422, 'INSUFFICIENT_FUNDS', 'amount'],
  ['transfer from an unknown account', () => '/transfers', () => ({ fromAccountId: unknown, toAccountId: ids.rich, amount: '1.00' }), 404, 'ACCOUNT_NOT_FOUND', 'fromAccountId'],
  ['transfer to an unknown account', () => '/transfers', () => ({ fromAccountId: ids.rich, toAccountId: unknown, amount: '1.00' }), 404, 'ACCOUNT_NOT_FOUND', 'toAccountId'],
  ['transfer to a closed account', () => '/transfers', () => ({ fromAccountId: ids.rich, toAccountId: ids.closed, amount: '1.00' }), 422, 'ACCOUNT_CLOSED', 'toAccountId'],
  ['transfer from a closed account', () => '/transfers', () => ({ fromAccountId: ids.closed, toAccountId: ids.rich, amount: '1.00' }), 422, 'ACCOUNT_CLOSED', 'fromAccountId'],
  ['transfer overflowing the target', () => '/transfers', () => ({ fromAccountId: ids.rich, toAccountId: ids.full, amount: '1.00' }), 422, 'BALANCE_LIMIT_EXCEEDED', 'amount'],
  ['transfer a number amount', () => '/transfers', () => ({ fromAccountId: ids.rich, toAccountId: ids.poor, amount: 1 }), 400, 'VALIDATION_FAILED', 'amount'],
  ['transfer from a malformed id', () => '/transfers', () => ({ fromAccountId: 'x', toAccountId: ids.poor, amount: '1.00' }), 400, 'VALIDATION_FAILED', 'fromAccountId'],
];

describe('refused commands write nothing', () => {
  const named = cases.map(([name, url, body, status, code, field]) => ({ name, url, body, status, code, field }));
  it.each(named)('$name', async ({ url, body, status, code, field }) => {
    await expectRefusedWithoutWrites(url(), body(), status, code, field);
  });
});

describe('HTTP-level errors are JSON', () => {
  const raw = (payload: string, contentType: string) => h.app.inject({ method: 'POST', url: `/accounts/${ids.rich}/deposits`, payload, headers: { 'content-type': contentType, ...bearer('write') } });

  it.each([
    ['malformed JSON', '{"amount": "1.00"', 'application/json', 400, 'MALFORMED_JSON'],
    ['an empty JSON body', '', 'application/json', 400, 'MALFORMED_JSON'],
    ['prototype poisoning', '{"amount":"1.00","__proto__":{"x":1}}', 'application/json', 400, 'MALFORMED_JSON'],
    ['a text body', 'amount=1.00', 'text/plain', 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['a body over 16 KiB', JSON.stringify({ amount: '1.00', pad: 'x'.repeat(17_000) }), 'application/json', 413, 'PAYLOAD_TOO_LARGE'],
  ])('%s is refused as JSON, nothing written', async (_name, payload, contentType, status, code) => {
    const before = await h.snapshot();
    const res = await raw(payload, contentType);
    expect(res.statusCode).toBe(status);
    expect(res.json().error.code).toBe(code);
    expect(await h.snapshot()).toEqual(before);
  });

  it('answers 404 ROUTE_NOT_FOUND for unknown routes and methods (to any valid token)', async () => {
    for (const [method, url] of [
      ['GET', '/nope'],
      ['GET', '/transfers'],
      ['DELETE', `/accounts/${ids.rich}`],
    ] as const) {
      const res = await h.app.inject({ method, url, headers: bearer('read') });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ error: { code: 'ROUTE_NOT_FOUND', message: expect.any(String) } });
    }
  });

  it('GET /healthz answers ok', async () => {
    const res = await h.get('/healthz');
    expect([res.statusCode, res.json()]).toEqual([200, { status: 'ok' }]);
  });
});
