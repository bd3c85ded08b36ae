import { describe, expect, it } from 'vitest';
import { isLedgerflowError } from './errors';
import { JOB_PAYLOAD_VERSION, decodeBatch, encodeBatch, partitionQueueName } from './transport';
import type { PartitionBatch } from './batching';
import type { StoredEvent } from './stored-event';

const base: StoredEvent = {
  position: 1n,
  eventId: '0b7c2f1e-4c1a-4e8b-9a51-5f6e7d8c9b0a',
  streamId: '3f2a1b7c-1234-4abc-8def-00000000abcd',
  version: 1,
  type: 'AccountCreated',
  data: '{"accountId":"3f2a1b7c-1234-4abc-8def-00000000abcd","ownerName":"Ada \\"Q\\" Løvelace","initialBalance":"0.00"}',
  metadata: '{"traceparent":"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}',
  createdAt: '2024-01-02T03:04:05.123Z',
};

const batch: PartitionBatch = {
  partition: 5,
  events: [
    { ...base, committedAtMs: 1_704_164_645_200 },
    { ...base, position: 9_007_199_254_740_993n, version: 2, type: 'MoneyDeposited' },
    { ...base, position: 9_223_372_036_854_775_807n, version: 3, type: 'AccountClosed', committedAtMs: 0 },
  ],
};

function payloadError(data: unknown): unknown {
  try {
    decodeBatch(data);
  } catch (error) {
    return error;
  }
  throw new Error('expected JOB_PAYLOAD_INVALID, the payload decoded');
}

describe('encodeBatch / decodeBatch', () => {
  it('round-trips through JSON (as Redis stores it), positions beyond 2^53 included', () => {
    const wire = JSON.parse(JSON.stringify(encodeBatch(batch, 1_704_164_645_300))) as unknown;
    expect(decodeBatch(wire)).toEqual({ partition: 5, enqueuedAtMs: 1_704_164_645_300, events: batch.events });
  });

  it('omits committedAtMs when the source did not know it', () => {
    const { events } = decodeBatch(JSON.parse(JSON.stringify(encodeBatch(batch, 0))));
    expect('committedAtMs' in events[1]!).toBe(false);
    expect(events[2]!.committedAtMs).toBe(0);
  });

  it('encodes positions as decimal strings', () => {
    const encoded = encodeBatch(batch, 0);
    expect(encoded.v).toBe(JOB_PAYLOAD_VERSION);
    expect(encoded.events[1]![0]).toBe('9007199254740993');
  });

  const good = () => JSON.parse(JSON.stringify(encodeBatch(batch, 1))) as { events: unknown[][] } & Record<string, unknown>;
  const withTuple = (slot: number, value: unknown) => {
    const payload = good();
    payload.events[0]![slot] = value;
    return payload;
  };

  it.each<[string, unknown]>([
    ['null', null],
    ['a string', 'batch'],
    ['an empty object', {}],
    ['another payload version', { ...good(), v: 2 }],
    ['events that are not an array', { ...good(), events: 'x' }],
    ['a partition that is a string', { ...good(), partition: '5' }],
    ['a negative partition', { ...good(), partition: -1 }],
    ['a fractional partition', { ...good(), partition: 1.5 }],
    ['a missing enqueuedAtMs', { ...good(), enqueuedAtMs: undefined }],
    ['an event that is not a tuple', { ...good(), events: [{ position: '1' }] }],
    ['a tuple of the wrong length', { ...good(), events: [['1', 'a', 'b', 1]] }],
    ['a position that is not a number', withTuple(0, 'abc')],
    ['a numeric position', withTuple(0, 1)],
    ['a negative position', withTuple(0, '-1')],
    ['a non-string event id', withTuple(1, 7)],
    ['a non-string stream id', withTuple(2, null)],
    ['a string version', withTuple(3, '1')],
    ['a fractional version', withTuple(3, 1.5)],
    ['version 0', withTuple(3, 0)],
    ['a non-string type', withTuple(4, 1)],
    ['non-string data', withTuple(5, { a: 1 })],
    ['non-string metadata', withTuple(6, null)],
    ['a non-string createdAt', withTuple(7, 0)],
    ['a string committedAtMs', withTuple(8, '5')],
  ])('rejects %s with JOB_PAYLOAD_INVALID', (_what, data) => {
    const error = payloadError(data);
    expect(isLedgerflowError(error, 'JOB_PAYLOAD_INVALID')).toBe(true);
    expect((error as { retryable: boolean }).retryable).toBe(false);
  });
});

describe('partitionQueueName', () => {
  it('names queues p0 … p{P-1}', () => {
    expect(partitionQueueName(0)).toBe('p0');
    expect(partitionQueueName(15)).toBe('p15');
  });
});
