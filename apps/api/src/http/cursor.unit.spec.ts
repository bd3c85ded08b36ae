import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from './cursor';

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

describe('transaction cursors', () => {
  it('round-trips and is opaque (base64url)', () => {
    const cursor = { occurredAt: '2024-02-29T23:59:59.123456Z', position: '9223372036854775807' };
    const text = encodeCursor(cursor);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(text)).toEqual(cursor);
  });

  it.each([
    ['not base64', '***'],
    ['not JSON', b64('{oops')],
    ['not an object', b64('5')],
    ['no position', b64({ t: '2024-01-01T00:00:00.000000Z' })],
    ['position as number', b64({ t: '2024-01-01T00:00:00.000000Z', p: 5 })],
    ['position zero', b64({ t: '2024-01-01T00:00:00.000000Z', p: '0' })],
    ['position beyond int8', b64({ t: '2024-01-01T00:00:00.000000Z', p: '9223372036854775808' })],
    ['millisecond timestamp', b64({ t: '2024-01-01T00:00:00.000Z', p: '1' })],
    ['31 February', b64({ t: '2024-02-31T00:00:00.000000Z', p: '1' })],
    ['month 13', b64({ t: '2024-13-01T00:00:00.000000Z', p: '1' })],
    ['hour 24', b64({ t: '2024-01-01T24:00:00.000000Z', p: '1' })],
    ['empty', ''],
  ])('refuses %s with VALIDATION_FAILED on cursor', (_name, text) => {
    expect(() => decodeCursor(text)).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED', field: 'cursor', status: 400 }));
  });
});
