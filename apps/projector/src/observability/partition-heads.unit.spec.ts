import type { StoredEvent } from '@ledgerflow/cdc-core';
import { describe, expect, it } from 'vitest';
import { PartitionHeads, commitTimeMsOf, lagSecondsOf } from './partition-heads';

const event = (position: bigint, createdAt: string, committedAtMs?: number): StoredEvent => ({
  position,
  eventId: '00000000-0000-4000-8000-000000000001',
  streamId: '00000000-0000-4000-8000-000000000002',
  version: 1,
  type: 'AccountCreated',
  data: '{}',
  metadata: '{}',
  createdAt,
  ...(committedAtMs === undefined ? {} : { committedAtMs }),
});

describe('lag of an event', () => {
  it('counts from the commit time when the source knows it, else from created_at', () => {
    expect(commitTimeMsOf(event(1n, '2026-01-01T00:00:00.000Z', 1_767_225_600_500))).toBe(1_767_225_600_500);
    expect(commitTimeMsOf(event(1n, '2026-01-01T00:00:00.000Z'))).toBe(1_767_225_600_000);
    expect(lagSecondsOf(event(1n, '2026-01-01T00:00:00.000Z'), 1_767_225_601_250)).toBe(1.25);
  });

  it('is never negative (server clocks differ) and undefined without a usable time', () => {
    expect(lagSecondsOf(event(1n, '2026-01-01T00:00:01.000Z'), 1_767_225_600_000)).toBe(0);
    expect(lagSecondsOf(event(1n, 'not a time'), 1_767_225_600_000)).toBeUndefined();
  });
});

describe('PartitionHeads', () => {
  it('only moves a partition forward, and reports positions and known lags per partition', () => {
    const heads = new PartitionHeads();
    expect(heads.advance(1, 10n, 0.5)).toBe(true);
    expect(heads.advance(1, 7n, 0.1)).toBe(false); // a redelivery or a gap repair of older events
    expect(heads.advance(2, 3n)).toBe(true); // a checkpoint known before anything was applied
    expect(heads.positions()).toEqual([
      { value: 10n, attributes: { partition: 1 } },
      { value: 3n, attributes: { partition: 2 } },
    ]);
    expect(heads.lags()).toEqual([{ value: 0.5, attributes: { partition: 1 } }]);
    heads.forget(1);
    expect(heads.position(1)).toBeUndefined();
    expect(heads.positions()).toEqual([{ value: 3n, attributes: { partition: 2 } }]);
  });
});
