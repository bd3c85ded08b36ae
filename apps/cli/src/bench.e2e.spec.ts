import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { TEST_PG_ADMIN_URL, TEST_REDIS_URL, deleteRedisKeys, dropDatabase } from '@ledgerflow/testkit';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const bin = path.resolve(__dirname, '../bin/ledgerflow.js');
const database = `lf_bench_e2e_${randomBytes(4).toString('hex')}`;
const dir = mkdtempSync(path.join(os.tmpdir(), 'ledgerflow-bench-'));

afterAll(async () => {
  await dropDatabase(database);
  await dropDatabase(`${database}_steady`);
  await deleteRedisKeys(`ledgerflow-${database}`);
  rmSync(dir, { recursive: true, force: true });
});

const positive = (value: unknown) => typeof value === 'number' && Number.isFinite(value) && value > 0;

describe('ledgerflow bench --quick (real ingest and projector processes)', () => {
  it('exits 0 and writes every figure, from verified runs only', async () => {
    const jsonFile = path.join(dir, 'bench.json');
    const svgFile = path.join(dir, 'chart.svg');
    await run(process.execPath, [bin, 'bench', '--quick', '--database', database, '--json-file', jsonFile, '--svg', svgFile], {
      env: { ...process.env, DATABASE_URL: TEST_PG_ADMIN_URL, REDIS_URL: TEST_REDIS_URL, LEDGERFLOW_PARTITIONS: '4' },
      timeout: 240_000,
    });
    const json = JSON.parse(readFileSync(jsonFile, 'utf8')) as Record<string, Record<string, unknown> & Array<Record<string, unknown>>>;
    expect(positive(json['catchup']!['events_per_second'])).toBe(true);
    expect((json['catchup']!['runs'] as Array<{ verified: boolean }>).every((r) => r.verified)).toBe(true);
    expect(json['steady']!.length).toBe(2);
    for (const s of json['steady']!) {
      expect(positive(s['rate'])).toBe(true);
      expect(s['projectors']).toBe(1); // --quick catches up with one process only, so the steady state runs on one
      expect(s['verified']).toBe(true);
      const lag = s['lag_ms'] as Record<string, number>;
      for (const k of ['p50', 'p95', 'p99', 'max']) expect(lag[k], k).toBeGreaterThanOrEqual(0);
      expect(lag['max']).toBeGreaterThan(0);
      const warmup = s['warmup'] as { seconds: number; events: number; lag_ms: Record<string, number> };
      expect(warmup.seconds).toBe(1);
      expect(warmup.events).toBeGreaterThan(0);
      expect(warmup.events).toBeLessThan(s['events'] as number);
      for (const k of ['p50', 'p95', 'p99', 'max']) expect(warmup.lag_ms[k], `warm-up ${k}`).toBeGreaterThanOrEqual(0);
      // Every appended event is seen projected exactly once, in some second of the series.
      const series = s['series'] as Array<{ t_s: number; events: number }>;
      expect(series.length).toBeGreaterThanOrEqual(3);
      expect(series.reduce((sum, b) => sum + b.events, 0)).toBe(s['events']);
      // PostgreSQL and Redis run on this machine in the tests: every surrounding process is found.
      const around = s['surrounding_cpu_percent'] as Record<string, number>;
      expect(Object.keys(around).sort()).toEqual(['appender-backend', 'bench', 'other', 'poller-backend', 'redis', 'walsender']);
      expect(around['walsender']).toBeGreaterThan(0);
      expect(around['bench']).toBeGreaterThan(0);
      // Each pipeline process's pauses, from its own metrics (scraped before and after).
      const gc = s['gc_pauses'] as Record<string, { pauses: number; total_ms: number; over_10ms: number }>;
      expect(Object.keys(gc).sort()).toEqual(['ingest', 'projector-0']);
      for (const g of Object.values(gc)) {
        expect(g.pauses).toBeGreaterThanOrEqual(0);
        expect(g.total_ms).toBeGreaterThanOrEqual(0);
        expect(g.over_10ms).toBeLessThanOrEqual(g.pauses);
      }
      expect(gc['projector-0']!.pauses).toBeGreaterThan(0); // it applied thousands of events: young collections ran
    }
    type Counted = { events: number; series: { t_ms: number[]; applied: number[] } };
    for (const r of [...(json['catchup']!['runs'] as unknown as Counted[]), json['baseline'] as unknown as Counted]) {
      expect(r.series.t_ms.length).toBeGreaterThanOrEqual(2);
      expect(r.series.t_ms.length).toBeLessThanOrEqual(200);
      expect(r.series.applied).toHaveLength(r.series.t_ms.length);
      expect(r.series.applied.at(-1)).toBe(r.events);
    }
    const svg = readFileSync(svgFile, 'utf8');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    // One line per catch-up run, one for the baseline, p99 and p50 per steady rate.
    expect((svg.match(/<polyline /g) ?? []).length).toBe(1 + 1 + 2 * 2);
    for (const label of ['catch-up, 1 projector(s)', 'naive baseline (conc. ', '2,000/s p99', '10,000/s p50', 'sink ceiling', 'warm-up (first 1 s)', 'goal 50 ms at 2,000/s']) expect(svg, label).toContain(label);
    expect(existsSync(path.join(dir, 'bench.svg'))).toBe(false); // --svg overrides the chart's default place
    expect(positive(json['baseline']!['events_per_second'])).toBe(true);
    expect(positive(json['ceiling']!['events_per_second'])).toBe(true);
    expect(json['ceiling']!['verified']).toBe(true);
    expect(positive(json['ratios']!['vs_baseline'])).toBe(true);
    expect(positive(json['ratios']!['vs_ceiling'])).toBe(true);
    const rss = json['peak_rss_bytes'] as Record<string, number>;
    for (const name of ['ingest', 'projector-0', 'bench_harness']) expect(positive(rss[name]), name).toBe(true);
    // Which configuration the figures belong to.
    expect(json['options']).toMatchObject({ partitions: expect.any(Number), appHeapMb: expect.any(Number) });
    const machine = json['machine'] as unknown as { cores: number; memory_bytes: number; versions: Record<string, string> };
    expect(positive(machine.cores) && positive(machine.memory_bytes)).toBe(true);
    expect(Object.keys(machine.versions)).toEqual(expect.arrayContaining(['node', 'postgres', 'redis', 'bullmq']));
  }, 300_000);
});
