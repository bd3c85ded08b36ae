import type { StoredEvent } from '@ledgerflow/cdc-core';
import { describe, expect, it } from 'vitest';
import { TransactionBuffer } from './transaction-buffer';

const event = (position: number): StoredEvent => ({
  position: BigInt(position),
  eventId: `00000000-0000-4000-8000-${position.toString().padStart(12, '0')}`,
  streamId: '00000000-0000-4000-8000-000000000001',
  version: position,
  type: 'MoneyDeposited',
  data: '{}',
  metadata: '{}',
  createdAt: '2026-01-01T00:00:00.000Z',
});

describe('TransactionBuffer', () => {
  it('separates whole transactions from the one still being read', () => {
    const buffer = new TransactionBuffer();
    buffer.add(event(1));
    buffer.add(event(2));
    expect(buffer.state()).toEqual({ readyEvents: 0, openEvents: 2, readySinceMs: undefined });
    buffer.commit(100n, 10);
    buffer.add(event(3));
    expect(buffer.state()).toEqual({ readyEvents: 2, openEvents: 1, readySinceMs: 10 });
    const taken = buffer.take(false);
    expect(taken.events.map((e) => e.position)).toEqual([1n, 2n]);
    expect(taken.ackPosition).toBe(100n);
    expect(buffer.state()).toEqual({ readyEvents: 0, openEvents: 1, readySinceMs: undefined });
  });

  it('keeps the time of the oldest unflushed commit and the position of the newest', () => {
    const buffer = new TransactionBuffer();
    buffer.add(event(1));
    buffer.commit(100n, 10);
    buffer.add(event(2));
    buffer.commit(200n, 20);
    expect(buffer.state().readySinceMs).toBe(10);
    expect(buffer.take(false)).toMatchObject({ ackPosition: 200n });
    expect(buffer.take(false)).toEqual({ events: [], ackPosition: undefined });
  });

  it('records commits without events so their position can still be confirmed', () => {
    const buffer = new TransactionBuffer();
    buffer.commit(300n, 5);
    expect(buffer.state()).toEqual({ readyEvents: 0, openEvents: 0, readySinceMs: 5 });
    expect(buffer.take(false)).toEqual({ events: [], ackPosition: 300n });
  });

  it('taking the open part too never confirms the open transaction', () => {
    const buffer = new TransactionBuffer();
    buffer.add(event(1));
    buffer.commit(100n, 0);
    buffer.add(event(2));
    const taken = buffer.take(true);
    expect(taken.events).toHaveLength(2);
    expect(taken.ackPosition).toBe(100n);
    buffer.add(event(3));
    buffer.commit(300n, 1);
    expect(buffer.take(false)).toMatchObject({ events: [event(3)], ackPosition: 300n });
  });

  it('drops only the open transaction on shutdown', () => {
    const buffer = new TransactionBuffer();
    buffer.add(event(1));
    buffer.commit(100n, 0);
    buffer.add(event(2));
    buffer.add(event(3));
    expect(buffer.discardOpen()).toBe(2);
    expect(buffer.size).toBe(1);
    expect(buffer.take(false).events.map((e) => e.position)).toEqual([1n]);
  });
});
