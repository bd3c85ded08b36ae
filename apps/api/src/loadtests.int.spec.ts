import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeTableOf } from './http/route-table';
import { startHarness, type ApiHarness } from './testing/harness';
import { analyseLoadtests, LOADTESTS_DIR, type ScriptFacts, type ScriptRequest } from './testing/k6-scripts';
import { bearer } from './testing/tokens';

/**
 * The k6 scripts (loadtests/) checked against the real API without a k6 binary: they parse,
 * every request they make names a route the server registers, and every body they build gets
 * through the server's validation. Bodies come from loadtests/lib/bodies.js, imported as is.
 */

type Random = () => number;
type BodyBuilder = (random: Random, accountId: string, otherAccountId: string) => unknown;
type FillPath = (template: string, params: Record<string, string>) => string;

/** A small seeded generator, so a failing sample can be replayed. */
function mulberry32(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The extremes of every random range, then seeded samples. */
const RANDOMS: readonly { name: string; random: Random }[] = [
  { name: 'min', random: () => 0 },
  { name: 'max', random: () => 0.999_999_999 },
  ...Array.from({ length: 10 }, (_, i) => ({ name: `seed ${i + 1}`, random: mulberry32(i + 1) })),
];

/** Answers that mean "the route exists and the input was valid". */
const VALID_INPUT_STATUSES = new Set([200, 201, 409, 422]);

let h: ApiHarness;
let scripts: ScriptFacts[];
let bodies: Record<string, unknown>;
let fillPath: FillPath;
let accounts: [string, string];

beforeAll(async () => {
  h = await startHarness('api_loadtests');
  scripts = analyseLoadtests();
  // Plain ES modules with no k6 imports, loaded exactly as the scripts load them.
  bodies = (await import(join(LOADTESTS_DIR, 'lib/bodies.js'))) as Record<string, unknown>;
  fillPath = ((await import(join(LOADTESTS_DIR, 'lib/paths.js'))) as { fillPath: FillPath }).fillPath;
  // Rich accounts, so that generated withdrawals and transfers are accepted (201).
  accounts = [await h.open('10000000.00'), await h.open('10000000.00')];
});
afterAll(async () => {
  await h?.close();
});

const allRequests = (): ScriptRequest[] => scripts.flatMap((s) => s.requests);
const topLevel = (): ScriptFacts[] => scripts.filter((s) => !s.file.includes('/'));

describe('k6 scripts', () => {
  it('parse as ES modules and send every request through lib/http.js api() with literal routes', () => {
    expect(scripts.map((s) => s.file)).toEqual(expect.arrayContaining(['command-mix.js', 'read-your-writes.js', 'lib/http.js', 'lib/bodies.js']));
    expect(scripts.flatMap((s) => s.problems)).toEqual([]);
    for (const script of topLevel()) expect(script.requests.length, script.file).toBeGreaterThan(0);
  });

  it('declare thresholds, constant-arrival-rate scenarios, a default function and handleSummary', () => {
    for (const script of topLevel()) {
      expect(script.thresholds, script.file).toEqual(expect.arrayContaining(['http_req_failed', 'checks']));
      expect(script.executors.length, script.file).toBeGreaterThan(0);
      expect(new Set(script.executors), script.file).toEqual(new Set(['constant-arrival-rate']));
      expect(script.exports, script.file).toEqual(expect.arrayContaining(['options', 'setup', 'default', 'handleSummary']));
    }
    expect(topLevel().find((s) => s.file === 'command-mix.js')?.thresholds).toContain('http_req_duration');
    expect(topLevel().find((s) => s.file === 'read-your-writes.js')?.thresholds).toEqual(expect.arrayContaining(['freshness_ms', 'freshness_timeouts']));
  });

  it('call only routes the server registers, none of them admin-only', () => {
    const routes = routeTableOf(h.app);
    const missing: string[] = [];
    for (const request of allRequests()) {
      const url = request.pathTemplate.split('?')[0];
      const route = routes.find((r) => r.method === request.method && r.url === url);
      if (!route) missing.push(`${request.at}: ${request.method} ${url} is not a route of the API`);
      else if (route.access === 'admin') missing.push(`${request.at}: ${request.method} ${url} needs an admin token; the scripts carry a write token`);
    }
    expect(missing).toEqual([]);
  });

  it('send bodies and query strings the API validates (write token, real server)', async () => {
    const refused: string[] = [];
    const seen = new Set<string>();
    for (const request of allRequests()) {
      const key = `${request.method} ${request.pathTemplate} ${request.bodyBuilder}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const builder = request.bodyBuilder === null ? undefined : bodies[request.bodyBuilder];
      if (request.bodyBuilder !== null && typeof builder !== 'function') {
        refused.push(`${request.at}: lib/bodies.js exports no function ${request.bodyBuilder}`);
        continue;
      }
      const url = fillPath(request.pathTemplate, Object.fromEntries(request.paramNames.map((name) => [name, accounts[0]])));
      for (const { name, random } of RANDOMS) {
        const payload = builder ? (builder as BodyBuilder)(random, accounts[0], accounts[1]) : undefined;
        const res = await h.app.inject({ method: request.method as 'GET' | 'POST', url, headers: bearer('write'), ...(payload === undefined ? {} : { payload: payload as object }) });
        const code = res.statusCode >= 400 ? (res.json<{ error?: { code?: string } }>().error?.code ?? '') : '';
        // GET /accounts/:id answers ACCOUNT_NOT_FOUND here: no projector runs in this test.
        const valid = VALID_INPUT_STATUSES.has(res.statusCode) || code === 'ACCOUNT_NOT_FOUND';
        if (!valid) refused.push(`${request.at}: ${request.method} ${url} (${name}) ${JSON.stringify(payload)} → ${res.statusCode} ${res.body}`);
        if (!builder) break;
      }
    }
    expect(refused).toEqual([]);
    expect(seen.size).toBeGreaterThanOrEqual(5);
  });
});
