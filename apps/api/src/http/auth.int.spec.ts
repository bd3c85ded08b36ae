import { request as httpRequest } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES } from '../auth/roles';
import { buildServer } from '../server';
import { startHarness, type ApiHarness } from '../testing/harness';
import { bearer, TEST_AUTH, TEST_TOKENS } from '../testing/tokens';
import { MAX_URL_LENGTH } from './limits';
import { routeTableOf } from './route-table';

let h: ApiHarness;
let account = '';
const extra: FastifyInstance[] = [];

beforeAll(async () => {
  h = await startHarness('api_auth', { captureLogs: true });
  account = await h.open('1000.00');
});
afterAll(async () => {
  for (const app of extra) await app.close();
  await h?.close();
});

const CHALLENGE = 'Bearer realm="ledgerflow"';
const unknownToken = 'unknown-token-0123456789abcdefghij';
/** Every route of the server with a concrete URL (every `:param` → a real account id: a well-formed UUID). */
const concrete = () => routeTableOf(h.app).map((r) => ({ ...r, path: r.url.replace(/:[A-Za-z]+/g, account) }));
const inject = (method: string, url: string, headers: Record<string, string | string[]> = {}, payload?: string) =>
  h.app.inject({ method: method as 'GET', url, headers: { ...(payload === undefined ? {} : { 'content-type': 'application/json' }), ...headers }, ...(payload === undefined ? {} : { payload }) });

async function expectRefused(res: Awaited<ReturnType<typeof inject>>, status: 401 | 403) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['www-authenticate']).toBe(status === 401 ? CHALLENGE : `${CHALLENGE}, error="insufficient_scope"`);
  if (res.body !== '') expect(res.json().error.code).toBe(status === 401 ? 'UNAUTHENTICATED' : 'FORBIDDEN');
}

describe('the route table', () => {
  it('protects queries with read, commands with write and /admin with admin; only the probes are public', () => {
    const table = Object.fromEntries(routeTableOf(h.app).map((r) => [`${r.method} ${r.url}`, r.access]));
    expect(table).toEqual({
      'GET /healthz': 'public',
      'HEAD /healthz': 'public',
      'GET /readyz': 'public',
      'HEAD /readyz': 'public',
      'GET /metrics': 'public',
      'HEAD /metrics': 'public',
      'POST /accounts': 'write',
      'POST /accounts/:id/deposits': 'write',
      'POST /accounts/:id/withdrawals': 'write',
      'POST /accounts/:id/close': 'write',
      'POST /transfers': 'write',
      'GET /accounts/:id': 'read',
      'HEAD /accounts/:id': 'read',
      'GET /accounts/:id/transactions': 'read',
      'HEAD /accounts/:id/transactions': 'read',
      'GET /admin/dlq': 'admin',
      'HEAD /admin/dlq': 'admin',
      'GET /admin/dlq/:accountId': 'admin',
      'HEAD /admin/dlq/:accountId': 'admin',
      'POST /admin/dlq/:accountId/redrive': 'admin',
      'POST /admin/events/:eventId/skip': 'admin',
    });
  });
});

describe('401 UNAUTHENTICATED', () => {
  it.each([
    ['no Authorization header', {}],
    ['an unknown token', { authorization: `Bearer ${unknownToken}` }],
    ['a token of another scheme', { authorization: `Basic ${TEST_TOKENS.admin}` }],
    ['a token without scheme', { authorization: TEST_TOKENS.admin }],
    ['a truncated token', { authorization: `Bearer ${TEST_TOKENS.admin.slice(0, -1)}` }],
    ['two Authorization headers', { authorization: [`Bearer ${TEST_TOKENS.admin}`, `Bearer ${TEST_TOKENS.admin}`] }],
    ['the token in another header', { 'x-api-key': TEST_TOKENS.admin, cookie: `token=${TEST_TOKENS.admin}` }],
  ])('on every protected route for %s, with a challenge, before the body is read, writing nothing', async (_name, headers) => {
    const before = await h.snapshot();
    for (const route of concrete().filter((r) => r.access !== 'public')) {
      // A body that would be 400 (malformed JSON) if it were parsed: 401 proves it was not.
      const res = await inject(route.method, route.path, headers, route.method === 'POST' ? '{"amount":' : undefined);
      await expectRefused(res, 401);
      for (const token of Object.values(TEST_TOKENS)) expect(res.body).not.toContain(token);
    }
    expect(await h.snapshot()).toEqual(before);
  });

  it('also for a token in the query string, and for oversized bodies (401 before 413)', async () => {
    await expectRefused(await inject('GET', `/accounts/${account}?access_token=${TEST_TOKENS.admin}`), 401);
    await expectRefused(await inject('POST', '/accounts', {}, JSON.stringify({ pad: 'x'.repeat(20_000) })), 401);
  });
});

describe('403 FORBIDDEN and the role hierarchy', () => {
  it('a read token may query but not command (403 before the body is read), writing nothing', async () => {
    const before = await h.snapshot();
    for (const route of concrete().filter((r) => r.access === 'write')) {
      await expectRefused(await inject(route.method, route.path, bearer('read'), '{"amount":'), 403);
      await expectRefused(await inject(route.method, route.path, { ...bearer('read'), 'content-type': 'text/plain' }, 'x'), 403);
    }
    expect(await h.snapshot()).toEqual(before);
  });

  it('read and write tokens may not call admin routes (403 before the body is read), writing nothing', async () => {
    const before = await h.snapshot();
    const admin = concrete().filter((r) => r.access === 'admin');
    expect(admin.length).toBeGreaterThanOrEqual(6);
    for (const route of admin) {
      for (const role of ['read', 'write'] as const) await expectRefused(await inject(route.method, route.path, bearer(role), route.method === 'POST' ? '{"reason":' : undefined), 403);
    }
    expect(await h.snapshot()).toEqual(before);
  });

  it.each(ROLES)('%s: what its role allows, and no more', async (role) => {
    const query = await h.get(`/accounts/${account}`, role);
    expect(query.statusCode, query.body).toBe(404); // authorised: the account is just not projected (no projector here)
    const deposit = await h.post(`/accounts/${account}/deposits`, { amount: '1.00' }, role);
    expect(deposit.statusCode, deposit.body).toBe(role === 'read' ? 403 : 201);
  });

  it('admin routes take one option, and only admin tokens pass them', async () => {
    const app = buildServer({ db: h.tdb.db, auth: TEST_AUTH });
    extra.push(app);
    app.post('/admin/ping', { config: { auth: 'admin' } }, async () => ({ pong: true }));
    await app.ready();
    expect(routeTableOf(app)).toContainEqual({ method: 'POST', url: '/admin/ping', access: 'admin' });
    const ping = (headers: Record<string, string>) => app.inject({ method: 'POST', url: '/admin/ping', headers });
    await expectRefused(await ping({}), 401);
    await expectRefused(await ping(bearer('read')), 403);
    await expectRefused(await ping(bearer('write')), 403);
    expect((await ping(bearer('admin'))).json()).toEqual({ pong: true });
  });
});

describe('open and unknown routes', () => {
  it('the probes need no token (and ignore a bad one)', async () => {
    for (const url of ['/healthz', '/readyz', '/metrics']) {
      for (const headers of [{}, { authorization: 'Bearer nope' }] as Record<string, string>[]) expect((await inject('GET', url, headers)).statusCode, url).toBe(200);
    }
  });

  it('unknown routes answer 401 to strangers and 404 to any valid token', async () => {
    await expectRefused(await inject('DELETE', `/accounts/${account}`), 401);
    await expectRefused(await inject('GET', '/admin'), 401);
    const res = await inject('DELETE', `/accounts/${account}`, bearer('read'));
    expect([res.statusCode, res.json().error.code]).toEqual([404, 'ROUTE_NOT_FOUND']);
  });

  it('with auth disabled, anyone may command', async () => {
    const app = buildServer({ db: h.tdb.db, auth: { mode: 'disabled' } });
    extra.push(app);
    const res = await app.inject({ method: 'POST', url: '/accounts', payload: { ownerName: 'Open', initialBalance: '1.00' } });
    expect(res.statusCode, res.body).toBe(201);
  });
});

describe('request limits', () => {
  it('refuses over-long URLs and path segments with 414, bad %-encoding with 400, as catalogue JSON', async () => {
    const long = await inject('GET', `/accounts/${account}/transactions?cursor=${'a'.repeat(MAX_URL_LENGTH)}`, bearer('read'));
    expect([long.statusCode, long.json().error.code]).toEqual([414, 'URI_TOO_LONG']);
    const segment = await inject('GET', `/accounts/${'a'.repeat(101)}`, bearer('read'));
    expect([segment.statusCode, segment.json().error.code]).toEqual([414, 'URI_TOO_LONG']);
    const bad = await inject('GET', '/accounts/%zz', bearer('read'));
    expect([bad.statusCode, bad.json().error.code]).toEqual([400, 'BAD_REQUEST']);
    expect(bad.body).not.toContain('%zz');
  });

  it('a listening server refuses more than 8 KiB of headers (431)', async () => {
    const app = buildServer({ db: h.tdb.db, auth: TEST_AUTH });
    extra.push(app);
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as { port: number };
    const status = (bytes: number) =>
      new Promise<number | undefined>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, path: '/healthz', headers: { 'x-pad': 'x'.repeat(bytes) } }, (res) => {
          res.resume();
          resolve(res.statusCode);
        });
        req.on('error', reject);
        req.end();
      });
    expect(await status(1000)).toBe(200);
    expect(await status(9000)).toBe(431);
  });
});

describe('logs', () => {
  it('hold every request of this file and none of the tokens sent', () => {
    const logs = h.logs();
    expect(logs).toContain('"msg":"incoming request"');
    expect(logs).toContain('"code":"UNAUTHENTICATED"');
    for (const token of [...Object.values(TEST_TOKENS), unknownToken]) expect(logs).not.toContain(token);
  });
});
