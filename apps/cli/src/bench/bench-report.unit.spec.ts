import { describe, expect, it } from 'vitest';
import { benchFigures } from '../testing/bench-figures.fixture';
import { benchJson, benchTable } from './bench-report';

const machine = { cores: 2, cpu_model: 'x', memory_bytes: 1, platform: 'linux', versions: {} };

describe('benchJson', () => {
  it('reports the steady lag after the warm-up, the warm-up apart, and the per-second series', () => {
    const json = benchJson(benchFigures(), machine, {}) as { steady: Array<Record<string, unknown>> };
    const s = json.steady[0]!;
    expect(s['lag_ms']).toEqual({ p50: 15, p95: 30, p99: 60, max: 120 });
    expect(s['warmup']).toEqual({ seconds: 5, events: 10_000, lag_ms: { p50: 225, p95: 450, p99: 900, max: 1800 } });
    const series = s['series'] as Array<Record<string, unknown>>;
    expect(series).toHaveLength(10);
    expect(series[0]).toEqual({ t_s: 0, events: 2000, p50: 20, p99: 60, max: 90 });
    expect(series[3]).toEqual({ t_s: 3, events: 0, p50: null, p99: null, max: null });
  });

  it('summarises the catch-up and baseline series in columns of at most 200 points', () => {
    const json = benchJson(benchFigures(), machine, {}) as { catchup: { runs: Array<{ series: { t_ms: number[]; applied: number[] } }> }; baseline: { series: { t_ms: number[]; applied: number[] } } };
    const run = json.catchup.runs[0]!.series;
    expect(run.t_ms).toHaveLength(101); // 5 s polled every 50 ms: under the limit, kept whole
    expect(run.applied.at(-1)).toBe(200_000);
    const baseline = json.baseline.series;
    expect(baseline.t_ms).toHaveLength(200);
    expect(baseline.applied).toHaveLength(200);
    expect([baseline.t_ms[0], baseline.t_ms.at(-1)]).toEqual([0, 55_000]);
  });
});

describe('benchJson, host CPU', () => {
  it('reports each run\'s busy and stolen CPU shares as percentages', () => {
    const figures = benchFigures();
    const json = benchJson({ ...figures, steady: [{ ...figures.steady[0]!, cpu: { busy: 0.71, steal: 0.243 } }] }, machine, {}) as { steady: Array<Record<string, unknown>>; catchup: { runs: Array<Record<string, unknown>> } };
    expect(json.steady[0]!['cpu']).toEqual({ busy_percent: 71, steal_percent: 24.3 });
    expect(json.catchup.runs[0]!['cpu']).toEqual({ busy_percent: 60, steal_percent: 1 });
    const shares = benchJson({ ...figures, steady: [{ ...figures.steady[0]!, cpu: { busy: 0.5, steal: 0.2 } }, { ...figures.steady[1]!, cpu: null }] }, machine, {}) as { steady: Array<Record<string, unknown>> };
    expect(shares.steady[0]!['cpu']).toEqual({ busy_percent: 50, steal_percent: 20 });
    expect(shares.steady[1]!['cpu']).toBeNull();
  });

  it('reports the fleet of each steady-state run', () => {
    const figures = benchFigures();
    const json = benchJson({ ...figures, steady: [figures.steady[0]!, { ...figures.steady[0]!, projectors: 2 }] }, machine, {}) as { steady: Array<Record<string, unknown>> };
    expect(json.steady.map((s) => [s['rate'], s['projectors']])).toEqual([
      [2000, 1],
      [2000, 2],
    ]);
  });

  it('reports each steady-state run\'s CPU per pipeline process', () => {
    const json = benchJson(benchFigures(), machine, {}) as { steady: Array<Record<string, unknown>> };
    expect(json.steady[0]!['process_cpu_percent']).toEqual({ ingest: 18.2, 'projector-0': 39.6 });
  });

  it('reports what else the machine spent during each steady-state run', () => {
    const json = benchJson(benchFigures(), machine, {}) as { steady: Array<Record<string, unknown>> };
    expect(json.steady[0]!['surrounding_cpu_percent']).toEqual({ walsender: 12.4, 'appender-backend': 16.1, bench: 19.6, redis: 14.1, other: 30.5 });
    expect(json.steady[1]!['surrounding_cpu_percent']).toEqual({});
  });

  it('reports each pipeline process\'s garbage-collection pauses during each steady-state run', () => {
    const json = benchJson(benchFigures(), machine, {}) as { steady: Array<Record<string, unknown>> };
    expect(json.steady[0]!['gc_pauses']).toEqual({
      ingest: { pauses: 73, total_ms: 421.7, over_10ms: 8, longest_ms_at_most: 20 },
      'projector-0': { pauses: 1200, total_ms: 2500, over_10ms: 0, longest_ms_at_most: null },
    });
    expect(json.steady[1]!['gc_pauses']).toEqual({});
  });
});

describe('benchTable', () => {
  it('prints a warm-up line under each steady-state rate', () => {
    const lines = benchTable(benchFigures()).split('\n');
    const at = lines.findIndex((l) => /^ {2}1 projector\(s\)\s+2,000\s+2,000\s+15\s+30\s+60\s+120$/.test(l));
    expect(at).toBeGreaterThan(0);
    expect(lines[at + 1]).toMatch(/^ {2}warm-up \(first 5 s\)\s+225\s+450\s+900\s+1,800$/);
  });

  it('prints each process\'s CPU under a steady-state rate, when it was read', () => {
    const lines = benchTable(benchFigures()).split('\n');
    const at = lines.findIndex((l) => /^ {2}1 projector\(s\)\s+2,000\s+2,000\s/.test(l));
    expect(lines[at + 2]).toBe('  CPU, % of a core: ingest 18, projector-0 40');
    expect(lines[at + 3]).toBe('  around it, % of a core: walsender 12, appender-backend 16, bench 20, redis 14, other 31');
    expect(lines[at + 4]).toBe('  GC pauses: ingest 73 (422 ms, 8 over 10 ms, longest ≤ 20 ms), projector-0 1,200 (2,500 ms, 0 over 10 ms, longest over 1 s)');
    const tenThousand = lines.findIndex((l) => /^ {2}1 projector\(s\)\s+10,000\s/.test(l));
    expect(lines[tenThousand + 2]).not.toMatch(/CPU, %|around it|GC pauses/);
  });

  it('prints the CPU the host stole in each run, and warns when it is more than 5%', () => {
    const quiet = benchTable(benchFigures());
    expect(quiet).toContain('CPU stolen by the host: catch-up 1p 1%, catch-up 2p 1%, 2,000/s 1p 1%, 10,000/s 1p 1%');
    expect(quiet).not.toContain('warning');
    const figures = benchFigures();
    const busy = benchTable({ ...figures, steady: [figures.steady[0]!, { ...figures.steady[1]!, cpu: { busy: 0.7, steal: 0.24 } }] });
    expect(busy).toContain('10,000/s 1p 24%');
    expect(busy).toMatch(/warning: the host took more than 5% of this machine's CPU/);
  });

  it('names the fleet of each steady-state run', () => {
    const figures = benchFigures();
    const table = benchTable({ ...figures, steady: [figures.steady[0]!, { ...figures.steady[0]!, projectors: 2, lagMs: { p50: 25, p95: 70, p99: 97, max: 157 } }] });
    expect(table).toMatch(/^ {2}1 projector\(s\)\s+2,000\s+2,000\s+15\s+30\s+60\s+120$/m);
    expect(table).toMatch(/^ {2}2 projector\(s\)\s+2,000\s+2,000\s+25\s+70\s+97\s+157$/m);
  });

  it('prints nothing about the host where the machine does not report it', () => {
    const figures = benchFigures();
    const none = <T>(r: T): T => ({ ...r, cpu: null });
    expect(benchTable({ ...figures, catchup: figures.catchup.map(none), steady: figures.steady.map(none) })).not.toContain('stolen');
  });
});
