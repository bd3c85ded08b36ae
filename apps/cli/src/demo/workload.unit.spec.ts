import { describe, expect, it } from 'vitest';
import { workload, type Operation } from './workload';
import { seededRandom, zipfSampler } from './zipf';

const take = (n: number, seed = 1, accounts = 100): Operation[] => {
  const gen = workload({ accounts, seed });
  return Array.from({ length: n }, () => gen.next().value);
};

describe('zipfSampler', () => {
  it('favours low ranks heavily and stays in range', () => {
    const sample = zipfSampler(1000, 1.1, seededRandom(7));
    const counts = new Array<number>(1000).fill(0);
    for (let i = 0; i < 100_000; i++) counts[sample()]!++;
    expect(counts[0]!).toBeGreaterThan(counts[9]! * 5);
    expect(counts[0]!).toBeGreaterThan(10_000);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(100_000);
  });

  it('rejects an empty population', () => {
    expect(() => zipfSampler(0, 1, Math.random)).toThrow(RangeError);
  });
});

describe('workload', () => {
  it('is reproducible from its seed', () => {
    expect(take(500, 3)).toEqual(take(500, 3));
    expect(take(500, 3)).not.toEqual(take(500, 4));
  });

  it('mixes deposits, withdrawals, transfers and a few closures', () => {
    const ops = take(20_000);
    const share = (kind: Operation['kind']) => ops.filter((o) => o.kind === kind).length / ops.length;
    expect(share('deposit')).toBeGreaterThan(0.45);
    expect(share('withdraw')).toBeGreaterThan(0.25);
    expect(share('transfer')).toBeGreaterThan(0.1);
    expect(share('close')).toBeGreaterThan(0);
    expect(share('close')).toBeLessThan(0.01);
  });

  it('never transfers to the same account and uses whole positive cents', () => {
    for (const op of take(20_000)) {
      if (op.kind === 'transfer') expect(op.from).not.toBe(op.to);
      if (op.kind !== 'close') {
        expect(typeof op.amountCents).toBe('bigint');
        expect(op.amountCents).toBeGreaterThan(0n);
      }
    }
  });
});
