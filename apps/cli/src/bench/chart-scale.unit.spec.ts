import { describe, expect, it } from 'vitest';
import { formatTick, linearScale, logScale, niceStep } from './chart-scale';

const ascending = (ticks: readonly number[]) => ticks.every((t, i) => i === 0 || t > ticks[i - 1]!);

describe('niceStep', () => {
  it('rounds up to 1, 2 or 5 times a power of ten', () => {
    expect([0.7, 1, 1.3, 2.5, 7, 12, 4100, 0.031].map(niceStep)).toEqual([1, 1, 2, 5, 10, 20, 5000, 0.05]);
    expect(niceStep(0)).toBe(1);
    expect(niceStep(Number.NaN)).toBe(1);
  });
});

describe('linearScale', () => {
  it('widens the domain to round ticks, ascending, that cover every value', () => {
    const s = linearScale([0, 42_043, 78_895]);
    expect(s.ticks).toEqual([0, 20_000, 40_000, 60_000, 80_000]);
    expect([s.lo, s.hi]).toEqual([0, 80_000]);
    expect(s.at(0)).toBe(0);
    expect(s.at(80_000)).toBe(1);
    expect(s.at(40_000)).toBe(0.5);
  });

  it('gives clean decimal ticks (no 0.30000000000000004)', () => {
    const s = linearScale([0, 0.9]);
    expect(s.ticks).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(ascending(s.ticks)).toBe(true);
  });

  it('still has a usable domain for no values, one value, or only non-finite ones', () => {
    for (const values of [[], [0], [7], [-3], [Number.NaN, Infinity]]) {
      const s = linearScale(values);
      expect(s.hi, JSON.stringify(values)).toBeGreaterThan(s.lo);
      expect(ascending(s.ticks)).toBe(true);
      expect(s.ticks.length).toBeGreaterThanOrEqual(2);
      for (const v of values.filter(Number.isFinite)) expect(v >= s.lo && v <= s.hi).toBe(true);
    }
  });
});

describe('logScale', () => {
  it('spans powers of ten with 1-2-5 ticks over up to two decades', () => {
    const s = logScale([12, 49, 255]);
    expect([s.lo, s.hi]).toEqual([10, 1000]);
    expect(s.ticks).toEqual([10, 20, 50, 100, 200, 500, 1000]);
    expect(s.at(10)).toBe(0);
    expect(s.at(100)).toBeCloseTo(0.5, 12);
    expect(s.at(1000)).toBe(1);
  });

  it('ticks only at powers of ten over more decades, and puts values at or below zero on the floor', () => {
    const s = logScale([0, 3, 4500]);
    expect(s.ticks).toEqual([1, 10, 100, 1000, 10_000]);
    expect(ascending(s.ticks)).toBe(true);
    expect(s.at(0)).toBe(0);
    expect(s.at(-5)).toBe(0);
  });

  it('has a domain for nothing positive and for a single value', () => {
    expect(logScale([]).ticks).toEqual([1, 2, 5, 10]);
    const one = logScale([100]);
    expect([one.lo, one.hi]).toEqual([100, 1000]);
  });
});

describe('formatTick', () => {
  it('groups thousands and keeps a few decimals', () => {
    expect([0, 20_000, 1_000_000, 0.25, 1 / 3].map(formatTick)).toEqual(['0', '20,000', '1,000,000', '0.25', '0.333']);
  });
});
