import { describe, expect, it } from 'vitest';
import { formatLsn, libraryAckArgument, parseLsn } from './lsn';

describe('LSN helpers', () => {
  it('parses and formats both halves', () => {
    expect(parseLsn('16/B374D848')).toBe((0x16n << 32n) | 0xb374d848n);
    expect(parseLsn('00000000/0000002A')).toBe(42n);
    expect(formatLsn(parseLsn('16/B374D848'))).toBe('16/B374D848');
    expect(formatLsn(0n)).toBe('0/0');
  });

  it('rejects what is not an LSN', () => {
    expect(() => parseLsn('12')).toThrow(RangeError);
    expect(() => parseLsn('1/2/3')).toThrow(RangeError);
    expect(() => parseLsn('123456789/0')).toThrow(RangeError);
  });

  it('keeps order', () => {
    expect(parseLsn('1/0') > parseLsn('0/FFFFFFFF')).toBe(true);
  });

  it('hands the library one byte less than the position to confirm, across the 32-bit boundary too', () => {
    expect(libraryAckArgument(parseLsn('0/16B3748'))).toBe('0/16B3747');
    expect(libraryAckArgument(parseLsn('1/0'))).toBe('0/FFFFFFFF');
    expect(() => libraryAckArgument(0n)).toThrow(RangeError);
  });
});
