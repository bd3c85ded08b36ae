import { describe, expect, it } from 'vitest';
import { StatementNames } from './statement-names';

describe('StatementNames', () => {
  it('names a text on its prepareAfter-th use and keeps that name', () => {
    const names = new StatementNames({ prepareAfter: 2, maxPrepared: 8, maxTracked: 8 });
    expect(names.nameFor('select $1')).toBeUndefined();
    expect(names.nameFor('select $1')).toBe('lf_1');
    expect(names.nameFor('select $1')).toBe('lf_1');
    expect(names.prepared).toBe(1);
  });

  it('gives different texts different names, never one name to two texts', () => {
    const names = new StatementNames({ prepareAfter: 1, maxPrepared: 8, maxTracked: 8 });
    const given = ['a $1', 'b $1', 'a $1', 'c $1', 'b $1'].map((t) => names.nameFor(t));
    expect(given).toEqual(['lf_1', 'lf_2', 'lf_1', 'lf_3', 'lf_2']);
  });

  it('prepares nothing more once maxPrepared names are given', () => {
    const names = new StatementNames({ prepareAfter: 1, maxPrepared: 2, maxTracked: 8 });
    expect([names.nameFor('a'), names.nameFor('b'), names.nameFor('c'), names.nameFor('c'), names.nameFor('a')]).toEqual(['lf_1', 'lf_2', undefined, undefined, 'lf_1']);
    expect(names.prepared).toBe(2);
  });

  it('counts at most maxTracked unprepared texts, so one-off SQL cannot grow it without bound', () => {
    const names = new StatementNames({ prepareAfter: 2, maxPrepared: 8, maxTracked: 2 });
    names.nameFor('a');
    names.nameFor('b');
    names.nameFor('c'); // not tracked: the table is full
    expect(names.nameFor('c')).toBeUndefined(); // its first counted use
    expect(names.nameFor('a')).toBe('lf_1'); // tracked ones still get there, freeing their slot
    names.nameFor('c');
    expect(names.nameFor('c')).toBe('lf_2');
  });

  it('refuses a policy that makes no sense', () => {
    expect(() => new StatementNames({ prepareAfter: 0, maxPrepared: 1, maxTracked: 1 })).toThrow(RangeError);
    expect(() => new StatementNames({ prepareAfter: 1, maxPrepared: -1, maxTracked: 1 })).toThrow(RangeError);
    expect(() => new StatementNames({ prepareAfter: 1, maxPrepared: 1, maxTracked: 1.5 })).toThrow(RangeError);
  });
});
