import { describe, expect, it } from 'vitest';
import { percentiles } from './lag-stats';
import { LagTracker } from './lag-tracker';
import { mergePeaks, parseVmHwm } from './peak-rss';

describe('LagTracker', () => {
  it('measures each event from its commit to the first poll whose checkpoint covers it, per partition', () => {
    const t = new LagTracker();
    t.appended(0, 1, 1000);
    t.appended(1, 2, 1000);
    t.appended(0, 3, 1010);
    t.observe(new Map([[0, 1]]), 1020);
    expect([...t.lags]).toEqual([20]);
    t.observe(new Map([[0, 3], [1, 1]]), 1050);
    expect([...t.lags]).toEqual([20, 40]);
    t.observe(new Map([[0, 3], [1, 2]]), 1100);
    expect([...t.lags]).toEqual([20, 40, 100]);
    expect(t.appendedCount).toBe(3);
    expect(t.observedCount).toBe(3);
  });

  it('keeps each observation time in ms since the first commit, and grows past its expected size', () => {
    const t = new LagTracker(1);
    for (let i = 0; i < 40; i++) t.appended(0, i + 1, 5000 + i * 10);
    t.observe(new Map([[0, 20]]), 5300);
    // A poll that came back before the commit was recorded clamps the lag to 0: observed = committed.
    t.observe(new Map([[0, 40]]), 5300);
    expect(t.observedCount).toBe(40);
    expect([...t.observedMs.subarray(0, 3)]).toEqual([300, 300, 300]);
    expect([...t.lags.subarray(0, 2)]).toEqual([300, 290]);
    expect(t.observedMs[39]).toBe(390);
    expect(t.lags[39]).toBe(0);
  });
});

describe('percentiles', () => {
  it('uses the nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentiles(values)).toEqual({ p50: 50, p95: 95, p99: 99, max: 100 });
    expect(percentiles([7])).toEqual({ p50: 7, p95: 7, p99: 7, max: 7 });
    expect(percentiles([])).toEqual({ p50: 0, p95: 0, p99: 0, max: 0 });
    expect(percentiles(Float32Array.of(3, 1, 2))).toEqual({ p50: 2, p95: 3, p99: 3, max: 3 });
  });
});

describe('peak RSS', () => {
  it('reads VmHWM in bytes and keeps the highest reading per process', () => {
    expect(parseVmHwm('Name:\tnode\nVmPeak:\t  999 kB\nVmHWM:\t   12345 kB\nVmRSS:\t 100 kB\n')).toBe(12345 * 1024);
    expect(parseVmHwm('Name:\tnode\n')).toBeNull();
    const peaks: Record<string, number> = { ingest: 10 };
    mergePeaks(peaks, { ingest: 5, projector: 7, api: null });
    expect(peaks).toEqual({ ingest: 10, projector: 7 });
  });
});
