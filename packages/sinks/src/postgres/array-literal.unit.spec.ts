import { describe, expect, it } from 'vitest';
import { arrayLiteral, columnLiteral } from './array-literal';

describe('arrayLiteral', () => {
  it('joins elements that need no quoting as they are', () => {
    expect(arrayLiteral(['0b9f6b2e-3d4c-4a1e-9f60-2c1b1f0e8d7a', '-12.50', '2026-11-28T15:00:00.000Z'])).toBe('{0b9f6b2e-3d4c-4a1e-9f60-2c1b1f0e8d7a,-12.50,2026-11-28T15:00:00.000Z}');
    expect(arrayLiteral([1, -2, 9007199254740993n])).toBe('{1,-2,9007199254740993}');
    expect(arrayLiteral([])).toBe('{}');
  });

  it('quotes what the array parser would misread, escaping quotes and backslashes', () => {
    expect(arrayLiteral(['a,b', '{x}', 'say "hi"', 'back\\slash', ' padded', 'two words', ''])).toBe('{"a,b","{x}","say \\"hi\\"","back\\\\slash"," padded","two words",""}');
  });

  it('quotes the word NULL in any case, so it stays a string', () => {
    expect(arrayLiteral(['NULL', 'null', 'Null', 'nullable'])).toBe('{"NULL","null","Null",nullable}');
  });

  it('never quotes numbers and bigints', () => {
    expect(arrayLiteral([0, 0n, 1.5])).toBe('{0,0,1.5}');
  });
});

describe('columnLiteral', () => {
  it('is the literal of one picked column', () => {
    const rows = [
      { id: 'a', n: 1 },
      { id: 'b c', n: 2 },
    ];
    expect(columnLiteral(rows, (r) => r.id)).toBe('{a,"b c"}');
    expect(columnLiteral(rows, (r) => r.n)).toBe(arrayLiteral([1, 2]));
  });
});
