import { describe, expect, it } from 'vitest';
import { downsample, windowRates } from './bench-series';

describe('downsample', () => {
  it('keeps at most max points, evenly spread, the first and the last always', () => {
    const points = Array.from({ length: 1001 }, (_, i) => i);
    const kept = downsample(points, 11);
    expect(kept).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
    expect(downsample(points, 400)).toHaveLength(400);
    expect(downsample(points, 400).at(-1)).toBe(1000);
  });

  it('returns a short series whole (a copy) and copes with tiny limits', () => {
    const points = [1, 2, 3];
    const kept = downsample(points, 5);
    expect(kept).toEqual([1, 2, 3]);
    expect(kept).not.toBe(points);
    expect(downsample(points, 1)).toEqual([3]);
    expect(downsample(points, 0)).toEqual([]);
  });
});

describe('windowRates', () => {
  it('derives events/s per window from a cumulative series, interpolating between polls', () => {
    // 1,000 events/s for a second, then 3,000 events/s, polled off the window edges.
    const series = [
      { tMs: 0, applied: 0 },
      { tMs: 300, applied: 300 },
      { tMs: 1000, applied: 1000 },
      { tMs: 1700, applied: 3100 },
      { tMs: 2000, applied: 4000 },
    ];
    expect(windowRates(series, 500)).toEqual([
      { tMs: 250, eventsPerSecond: 1000 },
      { tMs: 750, eventsPerSecond: 1000 },
      { tMs: 1250, eventsPerSecond: 3000 },
      { tMs: 1750, eventsPerSecond: 3000 },
    ]);
  });

  it('gives a short last window its own length, and no rate without a time span', () => {
    const rates = windowRates([{ tMs: 0, applied: 0 }, { tMs: 600, applied: 600 }], 500);
    expect(rates).toEqual([{ tMs: 250, eventsPerSecond: 1000 }, { tMs: 550, eventsPerSecond: 1000 }]);
    expect(windowRates([], 500)).toEqual([]);
    expect(windowRates([{ tMs: 0, applied: 10 }], 500)).toEqual([]);
  });

  it('starts at the first sample, not at zero', () => {
    const rates = windowRates([{ tMs: 100, applied: 50 }, { tMs: 600, applied: 550 }], 500);
    expect(rates).toEqual([{ tMs: 350, eventsPerSecond: 1000 }]);
  });
});
