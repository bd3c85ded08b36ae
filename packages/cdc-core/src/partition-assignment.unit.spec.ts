import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fairShare, planRebalance } from './partition-assignment';

describe('fairShare', () => {
  it('splits partitions evenly, remainder to the first members', () => {
    expect(['a', 'b', 'c'].map((m) => fairShare(['c', 'a', 'b'], m, 16))).toEqual([6, 5, 5]);
    expect(fairShare(['a'], 'a', 16)).toBe(16);
    expect(fairShare([], 'a', 16)).toBe(16);
  });

  it('always hands out every partition exactly once in total', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 20 }), fc.integer({ min: 1, max: 256 }), (members, partitions) => {
        const total = members.reduce((sum, m) => sum + fairShare(members, m, partitions), 0);
        expect(total).toBe(partitions);
      }),
    );
  });
});

describe('planRebalance', () => {
  it('releases the highest partitions above the share', () => {
    const plan = planRebalance({ me: 'a', members: ['a', 'b'], partitions: 4, owned: [0, 1, 2, 3], taken: [] });
    expect(plan).toEqual({ release: [3, 2], tryAcquire: [] });
  });

  it('tries only free partitions, up to the share', () => {
    const plan = planRebalance({ me: 'b', members: ['a', 'b'], partitions: 4, owned: [], taken: [0, 1] });
    expect(plan.release).toEqual([]);
    expect([...plan.tryAcquire].sort()).toEqual([2, 3]);
  });

  it('does nothing at the share', () => {
    expect(planRebalance({ me: 'a', members: ['a', 'b'], partitions: 4, owned: [0, 1], taken: [2, 3] })).toEqual({ release: [], tryAcquire: [] });
  });

  it('converges: members applying their plans in turn end with a fair, disjoint split', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 64 }), fc.array(fc.nat(), { maxLength: 40 }), (n, partitions, order) => {
        const members = Array.from({ length: n }, (_, i) => `m${i}`);
        const owner = new Map<number, string>();
        const step = (me: string) => {
          const owned = [...owner].filter(([, m]) => m === me).map(([p]) => p);
          const taken = [...owner].filter(([, m]) => m !== me).map(([p]) => p);
          const plan = planRebalance({ me, members, partitions, owned, taken });
          for (const p of plan.release) owner.delete(p);
          for (const p of plan.tryAcquire) if (!owner.has(p)) owner.set(p, me);
        };
        for (const i of order) step(members[i % n]!);
        for (let round = 0; round < 3; round++) for (const m of members) step(m);
        expect(owner.size).toBe(partitions);
        for (const m of members) expect([...owner.values()].filter((o) => o === m).length).toBe(fairShare(members, m, partitions));
      }),
    );
  });
});
