import type { StoredEvent } from '@ledgerflow/cdc-core';
import { describe, expect, it } from 'vitest';
import { LagRung, commitTimeMsOf } from './lag-rung';

const event = (position: bigint, committedAtMs?: number, createdAt = '2026-01-01T00:00:00.000Z'): StoredEvent => ({
  position,
  eventId: `e${position}`,
  streamId: 's',
  version: 1,
  type: 'AccountCreated',
  data: '{}',
  metadata: '{}',
  createdAt,
  ...(committedAtMs === undefined ? {} : { committedAtMs }),
});

describe('commitTimeMsOf', () => {
  it("takes the slot's commit time, else created_at (table reads)", () => {
    expect(commitTimeMsOf(event(1n, 1_000))).toBe(1_000);
    expect(commitTimeMsOf(event(1n, undefined, '2026-01-01T00:00:01.500Z'))).toBe(Date.parse('2026-01-01T00:00:01.500Z'));
  });
});

describe('LagRung', () => {
  it('keeps, per partition, the newest position and how long after its commit it arrived', () => {
    const rung = new LagRung();
    expect(rung.readings()).toEqual([]);
    expect(rung.advance(0, event(5n, 10_000), 10_250)).toBe(true);
    expect(rung.advance(1, event(7n, 10_000), 12_000)).toBe(true);
    expect(rung.readings()).toEqual([
      { partition: 0, position: 5n, lagSeconds: 0.25 },
      { partition: 1, position: 7n, lagSeconds: 2 },
    ]);
    expect(rung.position(1)).toBe(7n);
    expect(rung.position(2)).toBeUndefined();
  });

  it('moves only forward: replays and refills of older events leave the partition where it is', () => {
    const rung = new LagRung();
    rung.advance(0, event(9n, 1_000), 1_010);
    expect(rung.advance(0, event(3n, 0), 3_600_000)).toBe(false); // an old event refilled an hour later
    expect(rung.advance(0, event(9n, 1_000), 5_000)).toBe(false); // the same event replayed
    expect(rung.readings()).toEqual([{ partition: 0, position: 9n, lagSeconds: 0.01 }]);
    expect(rung.advance(0, event(10n, 2_000), 2_100)).toBe(true);
    expect(rung.readings()[0]).toMatchObject({ position: 10n, lagSeconds: 0.1 });
  });

  it('never reports a negative lag (commit times come from the database clock)', () => {
    const rung = new LagRung();
    rung.advance(0, event(1n, 5_000), 4_990);
    expect(rung.readings()[0]!.lagSeconds).toBe(0);
  });
});
