import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { moneyCommandBody, openAccountBody, transferBody } from './http/schemas';
import { analyseScript, LOADTESTS_DIR } from './testing/k6-scripts';

/**
 * The pure parts of loadtests/lib and the static checker the integration test relies on:
 * the checker must refuse what it cannot check, or the route and body checks prove nothing.
 */

interface Bodies {
  formatMoney(cents: number): string;
  uuidv4(random: () => number): string;
  openAccountBody(random: () => number): unknown;
  depositBody(random: () => number): unknown;
  withdrawalBody(random: () => number): unknown;
  transferBody(random: () => number, a: string, b: string): unknown;
}
interface Paths {
  fillPath(template: string, params: Record<string, string>): string;
}
interface RandomLib {
  pickTwoDistinct(random: () => number, n: number): [number, number];
  pickWeighted(random: () => number, weights: Record<string, number>): string;
}
interface Summary {
  textSummary(data: unknown, title: string): string;
  summaryOutputs(data: unknown, title: string, file: string | undefined): Record<string, string>;
}

let bodies: Bodies;
let paths: Paths;
let random: RandomLib;
let summary: Summary;

beforeAll(async () => {
  bodies = (await import(join(LOADTESTS_DIR, 'lib/bodies.js'))) as Bodies;
  paths = (await import(join(LOADTESTS_DIR, 'lib/paths.js'))) as Paths;
  random = (await import(join(LOADTESTS_DIR, 'lib/random.js'))) as RandomLib;
  summary = (await import(join(LOADTESTS_DIR, 'lib/summary.js'))) as Summary;
});

describe('loadtests/lib/bodies.js', () => {
  it('formats whole cents as money text and refuses anything else', () => {
    expect([0, 5, 1250, 100_000_00].map((c) => bodies.formatMoney(c))).toEqual(['0.00', '0.05', '12.50', '100000.00']);
    expect(() => bodies.formatMoney(12.5)).toThrow();
    expect(() => bodies.formatMoney(-1)).toThrow();
  });

  it('builds bodies the API schemas accept, at the extremes of every range', () => {
    for (const r of [() => 0, () => 0.999_999_999, Math.random]) {
      expect(openAccountBody.safeParse(bodies.openAccountBody(r)).success).toBe(true);
      expect(moneyCommandBody.safeParse(bodies.depositBody(r)).success).toBe(true);
      expect(moneyCommandBody.safeParse(bodies.withdrawalBody(r)).success).toBe(true);
      const a = bodies.uuidv4(r);
      expect(transferBody.safeParse(bodies.transferBody(r, a, bodies.uuidv4(Math.random))).success).toBe(true);
    }
  });
});

describe('loadtests/lib/paths.js and random.js', () => {
  it('fills route templates and refuses a missing or an unused parameter', () => {
    expect(paths.fillPath('/accounts/:id/transactions?limit=20', { id: 'a b' })).toBe('/accounts/a%20b/transactions?limit=20');
    expect(() => paths.fillPath('/accounts/:id', {})).toThrow(/no value for :id/);
    expect(() => paths.fillPath('/accounts', { id: 'x' })).toThrow(/no placeholder for id/);
  });

  it('picks two distinct indexes and weighted names', () => {
    for (const r of [() => 0, () => 0.999_999_999, () => 0.5]) {
      const [x, y] = random.pickTwoDistinct(r, 3);
      expect(x).not.toBe(y);
      expect([x, y].every((i) => i >= 0 && i < 3)).toBe(true);
    }
    expect(random.pickWeighted(() => 0, { a: 1, b: 1 })).toBe('a');
    expect(random.pickWeighted(() => 0.999_999_999, { a: 1, b: 1 })).toBe('b');
  });
});

describe('loadtests/lib/summary.js', () => {
  const data = {
    metrics: {
      http_req_duration: { type: 'trend', contains: 'time', values: { avg: 3.2, med: 2, 'p(95)': 9.5, 'p(99)': 20, max: 40 }, thresholds: { 'p(95)<250': { ok: true } } },
      freshness_timeouts: { type: 'rate', contains: 'default', values: { rate: 0.02 }, thresholds: { 'rate<0.01': { ok: false } } },
    },
  };

  it('reports each threshold and says when one failed', () => {
    const text = summary.textSummary(data, 'T');
    expect(text).toContain('✓ http_req_duration p(95)<250');
    expect(text).toContain('✗ freshness_timeouts rate<0.01');
    expect(text).toContain('p(95)=9.5ms');
    expect(text).toContain('1 threshold(s) FAILED');
  });

  it('writes the JSON summary only when a file is given', () => {
    expect(Object.keys(summary.summaryOutputs(data, 'T', undefined))).toEqual(['stdout']);
    expect(JSON.parse(summary.summaryOutputs(data, 'T', 'out.json')['out.json']!)).toEqual(data);
  });
});

describe('analyseScript', () => {
  const header = `import { api } from './lib/http.js';\nimport { depositBody } from './lib/bodies.js';\n`;

  it('reads method, route template, params and body builder of api() calls', () => {
    const facts = analyseScript('s.js', `${header}export const options = { thresholds: { checks: ['rate>0.9'] }, scenarios: { a: { executor: 'constant-arrival-rate' } } };
      export default function () { api('POST', '/accounts/:id/deposits', { id: 'x' }, depositBody(Math.random), { kind: 'command' }); api('GET', '/accounts/:id', { id: 'x' }, null); }`);
    expect(facts.problems).toEqual([]);
    expect(facts.requests.map((r) => [r.method, r.pathTemplate, r.paramNames, r.bodyBuilder])).toEqual([
      ['POST', '/accounts/:id/deposits', ['id'], 'depositBody'],
      ['GET', '/accounts/:id', ['id'], null],
    ]);
    expect(facts.thresholds).toEqual(['checks']);
    expect(facts.executors).toEqual(['constant-arrival-rate']);
    expect(facts.exports).toEqual(['options', 'default']);
  });

  it('refuses what it cannot check: computed routes, inline bodies, direct k6/http', () => {
    expect(analyseScript('s.js', `${header}const p = '/x'; api('POST', p, {}, null);`).problems).toEqual([expect.stringMatching(/s\.js:3: the path/)]);
    expect(analyseScript('s.js', `${header}api('post', '/x', {}, null);`).problems).toEqual([expect.stringMatching(/method/)]);
    expect(analyseScript('s.js', `${header}api('POST', '/x', {}, { amount: 1 });`).problems).toEqual([expect.stringMatching(/body/)]);
    expect(analyseScript('s.js', `${header}api('POST', '/x', { [k]: 1 }, null);`).problems).toEqual([expect.stringMatching(/params keys/)]);
    expect(analyseScript('s.js', `import http from 'k6/http';\nhttp.get('http://x/y');`).problems).toEqual([expect.stringMatching(/imports k6\/http/)]);
    expect(analyseScript('lib/http.js', `import http from 'k6/http';`).problems).toEqual([]);
  });

  it('refuses a script that does not parse as an ES module', () => {
    expect(() => analyseScript('bad.js', 'export const = 1;')).toThrow(/bad\.js does not parse as an ES module/);
  });
});
