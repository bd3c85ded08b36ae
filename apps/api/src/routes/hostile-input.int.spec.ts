import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roleSatisfies, type Role } from '../auth/roles';
import { routeTableOf, type RouteEntry } from '../http/route-table';
import { startHarness, type ApiHarness } from '../testing/harness';
import { created, deposited, parkWithEvents } from '../testing/parked';
import { contentType, credentials, hostileBody, pathParam, queryString, validBody, type CredentialCase } from '../testing/hostile';
import { TEST_TOKENS } from '../testing/tokens';

/**
 * Property: whatever arrives — random, hostile or half-valid bodies, content types, path
 * parameters, query strings and Authorization headers — on EVERY route of the server (taken
 * from its route table, so new routes are attacked too), the API never answers 5xx, never
 * writes without a valid write (or admin) token, never touches the dead-letter store without an
 * admin token, refuses the unauthorised with 401/403 before looking at the request, and never
 * lets a token reach its log or its answers.
 */
const RUNS_PER_ROUTE = 100;

let h: ApiHarness;
const accounts: string[] = [];
/** Event ids for `:eventId` (the events of every account above, parked ones included). */
const events: string[] = [];
const secretsSeen = new Set<string>(Object.values(TEST_TOKENS));
const tally = { written: 0, administered: 0, unauthenticated: 0, forbidden: 0, accepted: 0 };

beforeAll(async () => {
  h = await startHarness('api_hostile', { captureLogs: true });
  for (let i = 0; i < 4; i++) accounts.push(await h.open('100000.00'));
  // Parked accounts, so the admin routes meet real dead letters: poison at version 2, and an opening one.
  for (const seed of [(id: string) => [created(id), deposited(id, '-1.00'), deposited(id, '1.00')], (id: string) => [created(id, '1.00', '')]]) {
    accounts.push((await parkWithEvents(h.tdb.db, seed)).accountId);
  }
  events.push(...(await sql<{ event_id: string }>`select event_id from events order by global_position`.execute(h.tdb.db)).rows.map((r) => r.event_id));
});

afterAll(async () => {
  await h?.close();
});

/** What only admins may change: the dead-letter store and the stale flags. */
async function deadLetterState(): Promise<Record<string, number>> {
  const r = await sql<Record<string, number>>`
    select (select count(*) from parked_accounts)::int as parked, (select coalesce(sum(attempts), 0) from parked_accounts)::int as attempts,
      (select count(*) from dead_letter_events)::int as dead, (select count(*) from skipped_events)::int as skipped,
      (select count(*) from account_projections where stale)::int as stale`.execute(h.tdb.db);
  return r.rows[0]!;
}

interface Attack {
  readonly credential: CredentialCase;
  readonly params: readonly string[];
  readonly query: string;
  readonly body: string | Buffer | undefined;
  readonly contentType: string | undefined;
  readonly extra: Record<string, string>;
}

function attacks(route: RouteEntry): fc.Arbitrary<Attack> {
  const params = route.url.match(/:[A-Za-z]+/g) ?? [];
  const hasBody = route.method !== 'GET' && route.method !== 'HEAD';
  return fc.record({
    credential: credentials,
    params: fc.tuple(...params.map((name) => pathParam(name === ':eventId' ? events : accounts))),
    query: queryString,
    body: hasBody ? hostileBody(validBody(`${route.method} ${route.url}`, accounts)) : fc.constant(undefined),
    contentType: hasBody ? contentType : fc.constant(undefined),
    extra: fc.record({ 'x-request-id': fc.string({ unit: 'binary-ascii', maxLength: 140 }), traceparent: fc.string({ maxLength: 60 }), accept: fc.constantFrom('*/*', 'text/html') }, { requiredKeys: [] }),
  });
}

function urlOf(route: RouteEntry, attack: Attack): { url: string; exact: boolean } {
  let i = 0;
  const path = route.url.replace(/:[A-Za-z]+/g, () => attack.params[i++]!);
  const query = [attack.query, attack.credential.query].filter((q) => q !== '').join('&');
  // Dot segments (`..`, `%2e%2e`) and empty segments lead elsewhere: most likely to no route.
  const exact = new URL(path, 'http://x').pathname === path && !attack.params.includes('');
  return { url: query === '' ? path : `${path}?${query}`, exact };
}

const codeOf = (res: LightMyRequestResponse): string | undefined => {
  try {
    return (res.json() as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined; // HEAD answers, /metrics text
  }
};

/**
 * What may answer a caller who lacks the route's access: auth refusals, or URL refusals that
 * come before routing. A valid token of too low a role on a URL that missed the route gets
 * the unknown-route treatment instead (authenticated, so its body may be read: any 4xx).
 */
function expectRefused(role: Role | undefined, exact: boolean, res: LightMyRequestResponse, what: string): void {
  if (role !== undefined && !exact) return void expect(res.statusCode, what).toBeGreaterThanOrEqual(400);
  expect([400, 401, 403, 404, 414], what).toContain(res.statusCode);
  const code = codeOf(res);
  const allowed = role === undefined ? ['UNAUTHENTICATED', 'URI_TOO_LONG', 'BAD_REQUEST'] : ['FORBIDDEN', 'URI_TOO_LONG', 'BAD_REQUEST', 'ROUTE_NOT_FOUND'];
  if (code !== undefined) expect(allowed, what).toContain(code);
}

async function attack(route: RouteEntry, a: Attack): Promise<void> {
  const { url, exact } = urlOf(route, a);
  const headers = { ...a.extra, ...(a.contentType === undefined ? {} : { 'content-type': a.contentType }), ...a.credential.headers };
  const logMark = h.logs().length;
  const before = await h.snapshot();
  const dlqBefore = await deadLetterState();
  const res = await h.app.inject({ method: route.method as 'GET', url, headers, ...(a.body === undefined ? {} : { payload: a.body }) });
  const after = await h.snapshot();
  const dlqAfter = await deadLetterState();
  const { role, label } = a.credential;
  const what = `${route.method} ${url.slice(0, 200)} as ${label} → ${res.statusCode} ${res.body.slice(0, 300)}`;

  expect(res.statusCode, what).toBeLessThan(500);
  const authorised = route.access === 'public' || (role !== undefined && roleSatisfies(role, route.access));
  if (!authorised) {
    expectRefused(role, exact, res, what);
  } else {
    expect([401, 403], what).not.toContain(res.statusCode);
  }
  const mayWrite = role !== undefined && roleSatisfies(role, 'write') && res.statusCode < 400;
  if (!mayWrite) expect(after, `wrote without a write token: ${what}`).toEqual(before);
  // A redrive that fails again counts an attempt and answers 409: an admin may change it, whatever the status.
  const mayAdminister = route.access === 'admin' && role !== undefined && roleSatisfies(role, 'admin');
  if (!mayAdminister) expect(dlqAfter, `changed the dead-letter store without an admin token: ${what}`).toEqual(dlqBefore);
  if (JSON.stringify(dlqAfter) !== JSON.stringify(dlqBefore)) tally.administered++;

  for (const secret of a.credential.secrets) secretsSeen.add(secret);
  const logged = h.logs().slice(logMark);
  for (const secret of [...Object.values(TEST_TOKENS), ...a.credential.secrets]) {
    expect(logged.includes(secret), `a token reached the log: ${what}`).toBe(false);
    expect(res.body.includes(secret), `a token was echoed: ${what}`).toBe(false);
  }
  if (JSON.stringify(after) !== JSON.stringify(before)) tally.written++;
  if (res.statusCode === 401) tally.unauthenticated++;
  if (res.statusCode === 403) tally.forbidden++;
  if (res.statusCode < 300) tally.accepted++;
}

/**
 * Hundreds of requests per route: ≈ 18 s alone on the 2-core machine, three times that while the
 * other projects' tests run beside it (npm test runs them in parallel). Not a timing assertion.
 */
const PROPERTY_RUN_TIMEOUT_MS = 240_000;

describe('hostile input on every route', () => {
  it('never 5xx, never a write without a write token, never a token in the log', async () => {
    const routes = routeTableOf(h.app);
    expect(routes.length).toBeGreaterThanOrEqual(21);
    for (const route of routes) {
      try {
        await fc.assert(
          fc.asyncProperty(attacks(route), (a) => attack(route, a)),
          { numRuns: RUNS_PER_ROUTE },
        );
      } catch (error) {
        throw new Error(`${route.method} ${route.url}: ${(error as Error).message}`, { cause: error });
      }
    }
    // Not vacuous: writes happened (with write tokens), and both kinds of refusal were seen.
    expect(tally.written).toBeGreaterThan(5);
    expect(tally.accepted).toBeGreaterThan(100);
    expect(tally.unauthenticated).toBeGreaterThan(100);
    expect(tally.forbidden).toBeGreaterThan(10);
    // The pollution payloads polluted nothing.
    for (const key of ['admin', 'x']) expect(Object.prototype).not.toHaveProperty(key);
    // Late log lines (e.g. `request completed`) included: no token, ever, anywhere in the log.
    const logs = h.logs();
    expect(logs).toContain('"msg":"request completed"');
    for (const secret of secretsSeen) expect(logs.includes(secret)).toBe(false);
  }, PROPERTY_RUN_TIMEOUT_MS);
});
