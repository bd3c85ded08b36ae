import { poison, type AccountRow, type StoredEvent } from '@ledgerflow/cdc-core';
import type { FoldFailure } from '@ledgerflow/projections';
import type { ParkedAccountState } from '@ledgerflow/sinks';
import { describe, expect, it } from 'vitest';
import { parkRequests, splitParked } from './park-plan';

const A = 'aaaaaaaa-0000-4000-8000-000000000001';
const B = 'bbbbbbbb-0000-4000-8000-000000000002';

function ev(stream: string, version: number): StoredEvent {
  return {
    position: BigInt(version * 10),
    eventId: `${stream.slice(0, 8)}-0000-4000-8000-${String(version).padStart(12, '0')}`,
    streamId: stream,
    version,
    type: 'MoneyDeposited',
    data: '{}',
    metadata: '{}',
    createdAt: '2026-01-01T00:00:00.000Z',
  };
}

function row(accountId: string, version: number): AccountRow {
  return { accountId, ownerName: 'Ada', balance: 0n, status: 'active', version, lastPosition: 0n, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' };
}

const parkedA: ParkedAccountState = { accountId: A, code: 'EVENT_DATA_INVALID', failedEventId: ev(A, 3).eventId, failedVersion: 3 };
const versions = (events: readonly StoredEvent[] | undefined) => (events ?? []).map((e) => e.version);

describe('splitParked', () => {
  it('lets accounts that are not parked flow, untouched', () => {
    const delivered = new Map([[B, [ev(B, 2), ev(B, 1)]]]);
    const split = splitParked(new Map(), delivered, new Map());
    expect(split).toEqual({ flowing: delivered, holds: [], duplicates: 0, held: 0 });
  });

  it('holds a parked account’s unapplied events once each, in version order, and counts the rest as duplicates', () => {
    const delivered = new Map([
      [A, [ev(A, 5), ev(A, 2), ev(A, 3), ev(A, 5), ev(A, 4)]],
      [B, [ev(B, 1)]],
    ]);
    const split = splitParked(new Map([[A, row(A, 2)]]), delivered, new Map([[A, parkedA]]));
    expect([...split.flowing.keys()]).toEqual([B]);
    expect(split.holds).toHaveLength(1);
    expect(split.holds[0]!.parked).toBe(parkedA);
    expect(versions(split.holds[0]!.events)).toEqual([3, 4, 5]);
    expect(split).toMatchObject({ duplicates: 2, held: 3 });
  });

  it('holds everything of a parked account that has no row (its first event failed)', () => {
    const split = splitParked(new Map(), new Map([[A, [ev(A, 2), ev(A, 1)]]]), new Map([[A, parkedA]]));
    expect(versions(split.holds[0]!.events)).toEqual([1, 2]);
    expect(split.flowing.size).toBe(0);
  });

  it('holds nothing when a parked account only got redeliveries', () => {
    const split = splitParked(new Map([[A, row(A, 2)]]), new Map([[A, [ev(A, 1), ev(A, 2)]]]), new Map([[A, parkedA]]));
    expect(split).toMatchObject({ holds: [], duplicates: 2, held: 0 });
  });
});

describe('parkRequests', () => {
  const failure = (accountId: string, version: number, held: number[], code: 'EVENT_DATA_INVALID' | 'EVENT_VERSION_GAP' = 'EVENT_DATA_INVALID'): FoldFailure => ({
    accountId,
    event: ev(accountId, version),
    error: poison(code, `v${version} fails`, { version }, new Error('root cause')),
    held: held.map((v) => ev(accountId, v)),
  });

  it('parks each failed account on its partition, with the error as the cause', () => {
    const [a, b] = parkRequests(7, [failure(A, 3, [4, 5]), failure(B, 1, [])]);
    expect(a).toMatchObject({ accountId: A, partition: 7, failed: { version: 3 }, cause: { code: 'EVENT_DATA_INVALID', message: 'v3 fails', details: { version: 3, cause: 'root cause' } } });
    expect(versions(a!.held)).toEqual([4, 5]);
    expect(b).toMatchObject({ accountId: B, failed: { version: 1 }, held: [] });
  });

  it('merges two failures of one account: the earliest parks it, everything after it is held once', () => {
    // A poison event at 2 before a hole at 4: the gap failure's event (5) and its held (6) are held too.
    const requests = parkRequests(0, [failure(A, 5, [6], 'EVENT_VERSION_GAP'), failure(A, 2, [3])]);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ failed: { version: 2 }, cause: { code: 'EVENT_DATA_INVALID' } });
    expect(versions(requests[0]!.held)).toEqual([3, 5, 6]);
  });

  it('parks nothing without failures', () => {
    expect(parkRequests(0, [])).toEqual([]);
  });
});
