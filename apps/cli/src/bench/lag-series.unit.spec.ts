import { describe, expect, it } from 'vitest';
import { lagBuckets, splitAtCommit } from './lag-series';

describe('lagBuckets', () => {
  it('groups lags by the second they were observed in, with nearest-rank percentiles and counts', () => {
    const observed = Float32Array.of(100, 900, 500, 2100, 2999);
    const lags = Float32Array.of(30, 10, 20, 400, 200);
    expect(lagBuckets(observed, lags)).toEqual([
      { tS: 0, events: 3, p50: 20, p99: 30, max: 30 },
      { tS: 1, events: 0, p50: null, p99: null, max: null },
      { tS: 2, events: 2, p50: 200, p99: 400, max: 400 },
    ]);
  });

  it('takes the bucket width as an option and copes with nothing observed', () => {
    expect(lagBuckets([0, 250, 600], [5, 6, 7], 500)).toEqual([
      { tS: 0, events: 2, p50: 5, p99: 6, max: 6 },
      { tS: 0.5, events: 1, p50: 7, p99: 7, max: 7 },
    ]);
    expect(lagBuckets([], [])).toEqual([]);
  });
});

describe('splitAtCommit', () => {
  it('splits by commit time (observation − lag), so a late-seen warm-up event stays warm-up', () => {
    // Committed at 100, 900 and 1500; the first is seen only at 1600, after the cut at 1000.
    const { before, after } = splitAtCommit([1600, 1000, 1550], [1500, 100, 50], 1000);
    expect(before).toEqual({ events: 2, lagMs: { p50: 100, p95: 1500, p99: 1500, max: 1500 } });
    expect(after).toEqual({ events: 1, lagMs: { p50: 50, p95: 50, p99: 50, max: 50 } });
  });

  it('puts everything after a zero-length warm-up, and reports zeros for an empty side', () => {
    const { before, after } = splitAtCommit([10, 20], [10, 5], 0);
    expect(before).toEqual({ events: 0, lagMs: { p50: 0, p95: 0, p99: 0, max: 0 } });
    expect(after.events).toBe(2);
    expect(after.lagMs.max).toBe(10);
  });
});
