import { describe, expect, it } from 'vitest';
import { partitionOf } from './partition';

describe('partitionOf', () => {
  it('is stable and case-insensitive', () => {
    const id = '3f2a1b7c-0000-4000-8000-00000000abcd';
    expect(partitionOf(id, 16)).toBe(partitionOf(id.toUpperCase(), 16));
    expect(partitionOf(id, 16)).toBe(partitionOf(id, 16));
  });

  it('pins known values so a change of hash (which would reorder in-flight accounts) fails loudly', () => {
    expect([partitionOf('00000000-0000-4000-8000-000000000001', 16), partitionOf('ffffffff-ffff-4fff-bfff-ffffffffffff', 16)]).toMatchInlineSnapshot(`
      [
        2,
        11,
      ]
    `);
  });

  it('spreads random ids evenly', () => {
    const counts = new Array<number>(16).fill(0);
    for (let i = 0; i < 16_000; i++) counts[partitionOf(crypto.randomUUID(), 16)]!++;
    for (const c of counts) expect(c).toBeGreaterThan(800);
    for (const c of counts) expect(c).toBeLessThan(1200);
  });

  it('rejects a non-positive partition count', () => {
    expect(() => partitionOf('x', 0)).toThrow(RangeError);
  });
});
