import { describe, expect, it } from 'vitest';
import { commitTimeToMs, decodeEventRow } from './decode';
import { isLedgerflowError } from './errors';

const EVENT_ID = '0b7c2f1e-4c1a-4e8b-9a51-5f6e7d8c9b0a';
const STREAM_ID = '3f2a1b7c-1234-4abc-8def-00000000abcd';

/** A row as pgoutput delivers it when every value stays text. */
function textTuple(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    global_position: '42',
    event_id: EVENT_ID,
    stream_id: STREAM_ID,
    version: '3',
    type: 'MoneyDeposited',
    data: '{"accountId":"3f2a1b7c-1234-4abc-8def-00000000abcd","amount":"10.00"}',
    metadata: '{"traceparent":"00-abc-def-01"}',
    created_at: '2024-01-02 03:04:05.123+00',
    ...overrides,
  };
}

/** A row as node-postgres returns it from a SELECT (int8 as text, jsonb parsed, Date). */
function selectRow(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    global_position: '42',
    event_id: EVENT_ID,
    stream_id: STREAM_ID,
    version: 3,
    type: 'MoneyDeposited',
    data: { accountId: STREAM_ID, amount: '10.00' },
    metadata: { traceparent: '00-abc-def-01' },
    created_at: new Date('2024-01-02T03:04:05.123Z'),
    ...overrides,
  };
}

function decodeError(row: Record<string, unknown>): unknown {
  try {
    decodeEventRow(row);
  } catch (error) {
    return error;
  }
  throw new Error('expected CDC_DECODE_FAILED, the row decoded');
}

describe('decodeEventRow', () => {
  it('decodes a pgoutput tuple with text values', () => {
    const event = decodeEventRow(textTuple(), 1_704_164_645_200);
    expect(event).toEqual({
      position: 42n,
      eventId: EVENT_ID,
      streamId: STREAM_ID,
      version: 3,
      type: 'MoneyDeposited',
      data: '{"accountId":"3f2a1b7c-1234-4abc-8def-00000000abcd","amount":"10.00"}',
      metadata: '{"traceparent":"00-abc-def-01"}',
      createdAt: '2024-01-02T03:04:05.123Z',
      committedAtMs: 1_704_164_645_200,
    });
  });

  it('decodes a SELECT row with a Date and parsed jsonb, keeping data as JSON text', () => {
    const event = decodeEventRow(selectRow());
    expect(event.position).toBe(42n);
    expect(event.version).toBe(3);
    expect(event.createdAt).toBe('2024-01-02T03:04:05.123Z');
    expect(JSON.parse(event.data)).toEqual({ accountId: STREAM_ID, amount: '10.00' });
    expect(JSON.parse(event.metadata)).toEqual({ traceparent: '00-abc-def-01' });
    expect('committedAtMs' in event).toBe(false);
  });

  it('keeps positions beyond 2^53 exact (text and bigint)', () => {
    expect(decodeEventRow(textTuple({ global_position: '9007199254740993' })).position).toBe(9_007_199_254_740_993n);
    expect(decodeEventRow(textTuple({ global_position: '9223372036854775807' })).position).toBe(9_223_372_036_854_775_807n);
    expect(decodeEventRow(selectRow({ global_position: 9_007_199_254_740_993n })).position).toBe(9_007_199_254_740_993n);
    expect(decodeEventRow(selectRow({ global_position: 7 })).position).toBe(7n);
  });

  it('lower-cases uuids so partitioning and comparisons agree', () => {
    const event = decodeEventRow(textTuple({ stream_id: STREAM_ID.toUpperCase(), event_id: EVENT_ID.toUpperCase() }));
    expect(event.streamId).toBe(STREAM_ID);
    expect(event.eventId).toBe(EVENT_ID);
  });

  it('reads timestamps with offsets and microseconds (truncated to ms)', () => {
    expect(decodeEventRow(textTuple({ created_at: '2024-01-02 03:04:05.123456+00' })).createdAt).toBe('2024-01-02T03:04:05.123Z');
    expect(decodeEventRow(textTuple({ created_at: '2024-01-02 05:34:05+02:30' })).createdAt).toBe('2024-01-02T03:04:05.000Z');
    expect(decodeEventRow(textTuple({ created_at: '2024-01-02T03:04:05.123Z' })).createdAt).toBe('2024-01-02T03:04:05.123Z');
  });

  it('defaults missing metadata to {} but never data', () => {
    const { metadata: _m, ...withoutMetadata } = textTuple();
    expect(decodeEventRow(withoutMetadata).metadata).toBe('{}');
    const { data: _d, ...withoutData } = textTuple();
    expect(isLedgerflowError(decodeError(withoutData), 'CDC_DECODE_FAILED')).toBe(true);
    expect(isLedgerflowError(decodeError(textTuple({ data: null })), 'CDC_DECODE_FAILED')).toBe(true);
  });

  it.each(['global_position', 'event_id', 'stream_id', 'version', 'type', 'created_at', 'data'])('rejects a row without %s', (column) => {
    const row = textTuple();
    delete row[column];
    const error = decodeError(row);
    expect(isLedgerflowError(error, 'CDC_DECODE_FAILED')).toBe(true);
    expect((error as { retryable: boolean }).retryable).toBe(false);
  });

  it.each<[string, Record<string, unknown>]>([
    ['a non-numeric position', { global_position: 'abc' }],
    ['a fractional position', { global_position: '1.5' }],
    ['a negative position', { global_position: '-1' }],
    ['a zero position', { global_position: '0' }],
    ['a position beyond int8', { global_position: '9223372036854775808' }],
    ['a 20-digit position', { global_position: '12345678901234567890' }],
    ['an unsafe number position', { global_position: 2 ** 53 + 2 }],
    ['a fractional number position', { global_position: 1.5 }],
    ['version 0', { version: '0' }],
    ['a negative version', { version: -1 }],
    ['a fractional version', { version: 1.5 }],
    ['a version beyond int4', { version: '2147483648' }],
    ['a text version that is not a number', { version: 'three' }],
    ['an event_id that is not a uuid', { event_id: 'not-a-uuid' }],
    ['a stream_id that is not a uuid', { stream_id: 'acct-1' }],
    ['a numeric stream_id', { stream_id: 12 }],
    ['an empty type', { type: '' }],
    ['a non-text type', { type: 5 }],
    ['a created_at that is not a timestamp', { created_at: 'yesterday' }],
    ['a created_at that Date would misread', { created_at: '1' }],
    ['a created_at without an offset', { created_at: '2024-01-02 03:04:05' }],
    ['an impossible created_at', { created_at: '2024-13-02 03:04:05+00' }],
    ['an invalid Date', { created_at: new Date('nope') }],
    ['a numeric created_at', { created_at: 1_704_164_645_123 }],
  ])('rejects %s with CDC_DECODE_FAILED', (_what, overrides) => {
    expect(isLedgerflowError(decodeError(textTuple(overrides)), 'CDC_DECODE_FAILED')).toBe(true);
  });
});

describe('commitTimeToMs', () => {
  it('converts pgoutput microseconds to milliseconds', () => {
    expect(commitTimeToMs(1_704_164_645_123_456n)).toBe(1_704_164_645_123);
    expect(commitTimeToMs(0n)).toBe(0);
  });
});
