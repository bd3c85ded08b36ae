import { describe, expect, it } from 'vitest';
import { benchChartInput } from './bench-chart-input';
import { benchFigures } from '../testing/bench-figures.fixture';

const context = { date: '2026-11-27', cores: 2, partitions: 4, command: 'ledgerflow bench --quick', lagGoalsMs: new Map([[2000, 50]]) };

describe('benchChartInput', () => {
  it('plots each catch-up run and the baseline as events/s over time, against the ceiling', () => {
    const { throughput, title, subtitle } = benchChartInput(benchFigures(), context);
    expect(title).toBe('Ledgerflow bench — 2026-11-27 — 2 cores — 4 partitions');
    expect(subtitle).toBe('ledgerflow bench --quick');
    expect(throughput.series.map((s) => s.label)).toEqual(['catch-up, 1 projector(s)', 'catch-up, 2 projector(s)', 'naive baseline (conc. 20)']);
    const [one, , baseline] = throughput.series;
    // 5 s in 250 ms windows, 55 s in 500 ms windows, each at the rate the series was built with.
    expect(one!.points).toHaveLength(20);
    expect(one!.points[0]).toEqual({ x: 0.125, y: 40_000 });
    expect(baseline!.points).toHaveLength(110);
    for (const p of baseline!.points) expect(p.y).toBeCloseTo(3636, -1);
    expect(throughput.references).toEqual([{ label: 'sink ceiling 80,000/s', y: 80_000, color: expect.any(String) }]);
  });

  it('plots p99 and p50 per rate at bucket middles, skips empty buckets, and draws only the goals given', () => {
    const { lag } = benchChartInput(benchFigures(), context);
    expect(lag.series.map((s) => [s.label, Boolean(s.faint)])).toEqual([
      ['2,000/s p99', false],
      ['2,000/s p50', true],
      ['10,000/s p99', false],
      ['10,000/s p50', true],
    ]);
    expect(lag.series[0]!.points).toHaveLength(9);
    expect(lag.series[0]!.points.slice(0, 4)).toEqual([{ x: 0.5, y: 60 }, { x: 1.5, y: 61 }, { x: 2.5, y: 62 }, { x: 4.5, y: 64 }]);
    expect(lag.series[1]!.points[0]).toEqual({ x: 0.5, y: 20 });
    expect(lag.series[0]!.color).toBe(lag.series[1]!.color);
    expect(lag.series[0]!.color).not.toBe(lag.series[2]!.color);
    expect(lag.references).toEqual([{ label: 'goal 50 ms at 2,000/s', y: 50, color: lag.series[0]!.color }]);
    expect(lag.shade).toEqual({ from: 0, to: 5, label: 'warm-up (first 5 s)' });
  });

  it('names the fleet when runs of several fleets share the lag panel, and draws each rate\'s goal once', () => {
    const f = benchFigures();
    const steady = [f.steady[0]!, { ...f.steady[0]!, projectors: 2 }];
    const { lag } = benchChartInput({ ...f, steady }, context);
    expect(lag.series.map((s) => s.label)).toEqual(['2,000/s 1p p99', '2,000/s 1p p50', '2,000/s 2p p99', '2,000/s 2p p50']);
    expect(lag.series[0]!.color).not.toBe(lag.series[2]!.color);
    expect(lag.references).toEqual([{ label: 'goal 50 ms at 2,000/s', y: 50, color: lag.series[0]!.color }]);
  });

  it('has no warm-up shade without a warm-up', () => {
    const f = benchFigures();
    const steady = f.steady.map((r) => ({ ...r, warmup: { ...r.warmup, seconds: 0 } }));
    expect(benchChartInput({ ...f, steady }, context).lag.shade).toBeUndefined();
  });
});
