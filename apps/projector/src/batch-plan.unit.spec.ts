import type { AccountRow, StoredEvent } from '@ledgerflow/cdc-core';
import { foldBatch } from '@ledgerflow/projections';
import { describe, expect, it } from 'vitest';
import { appliedEvents, groupByAccount, highestAppliedPosition, planBatch, repairPlan } from './batch-plan';

const A = 'aaaaaaaa-0000-4000-8000-000000000001';
const B = 'bbbbbbbb-0000-4000-8000-000000000002';

/** A deposit (or, at version 1, the account's creation) at the given position. */
function ev(stream: string, version: number, position = BigInt(version * 10)): StoredEvent {
  const data =
    version === 1
      ? { accountId: stream, ownerName: 'Ada', initialBalance: '100.00' }
      : { accountId: stream, amount: '1.00', transactionId: `00000000-0000-4000-8000-${String(version).padStart(12, '0')}` };
  return {
    position,
    eventId: `${stream.slice(0, 8)}-0000-4000-8000-${String(version).padStart(12, '0')}`,
    streamId: stream,
    version,
    type: version === 1 ? 'AccountCreated' : 'MoneyDeposited',
    data: JSON.stringify(data),
    metadata: '{}',
    createdAt: '2026-01-01T00:00:00.000Z',
  };
}

function row(accountId: string, version: number): AccountRow {
  return { accountId, ownerName: 'Ada', balance: 10000n, status: 'active', version, lastPosition: BigInt(version * 10), createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' };
}

const versions = (events: readonly StoredEvent[] | undefined) => (events ?? []).map((e) => e.version);

describe('groupByAccount', () => {
  it('groups by lower-cased stream id and keeps delivery order', () => {
    const upper = { ...ev(A, 3), streamId: A.toUpperCase() };
    const grouped = groupByAccount([ev(A, 2), ev(B, 1), upper]);
    expect([...grouped.keys()]).toEqual([A, B]);
    expect(versions(grouped.get(A))).toEqual([2, 3]);
  });
});

describe('planBatch', () => {
  it('applies contiguous versions in order, counts redeliveries, asks for gaps', () => {
    const current = new Map([[A, row(A, 2)], [B, row(B, 1)]]);
    const plan = planBatch(current, groupByAccount([ev(A, 4), ev(A, 2), ev(A, 3), ev(A, 3), ev(B, 4)]));
    expect(versions(plan.apply.get(A))).toEqual([3, 4]);
    expect(plan.duplicates).toBe(2);
    expect(plan.gaps).toEqual([{ streamId: B, fromVersion: 2, toVersion: 4 }]);
    expect(plan.apply.has(B)).toBe(false);
  });

  it('leaves an account with nothing new out of the plan', () => {
    const plan = planBatch(new Map([[A, row(A, 3)]]), groupByAccount([ev(A, 1), ev(A, 3)]));
    expect(plan.apply.size).toBe(0);
    expect(plan.duplicates).toBe(2);
  });
});

describe('repairPlan', () => {
  it('merges the store read with the delivery and counts only what was not delivered', () => {
    const current = new Map([[A, row(A, 1)]]);
    const delivered = groupByAccount([ev(A, 5), ev(A, 3)]);
    const first = planBatch(current, delivered);
    const plan = repairPlan(first, current, delivered, [ev(A, 2), ev(A, 3), ev(A, 4), ev(A, 5)]);
    expect(versions(plan.apply.get(A))).toEqual([2, 3, 4, 5]);
    expect(plan.repaired).toBe(2);
    expect(plan.gaps).toEqual([]);
    expect(plan.failures).toEqual([]);
  });

  it('applies up to a hole the store cannot fill and fails the rest with EVENT_VERSION_GAP', () => {
    const delivered = groupByAccount([ev(A, 1), ev(A, 3), ev(A, 4)]);
    const first = planBatch(new Map(), delivered);
    const plan = repairPlan(first, new Map(), delivered, [ev(A, 3), ev(A, 4)]);
    expect(versions(plan.apply.get(A))).toEqual([1]);
    expect(plan.failures).toHaveLength(1);
    expect(plan.failures[0]!.error.code).toBe('EVENT_VERSION_GAP');
    expect(plan.failures[0]!.error.retryable).toBe(false);
    expect(plan.failures[0]!.event.version).toBe(3);
    expect(versions(plan.failures[0]!.held)).toEqual([4]);
    expect(plan.repaired).toBe(0);
  });
});

describe('highestAppliedPosition', () => {
  it('skips the failed event and what is held behind it', () => {
    const current = new Map([[A, row(A, 1)]]);
    const bad = { ...ev(A, 3, 300n), data: '{"nope":' };
    const apply = new Map([[A, [ev(A, 2, 200n), bad, ev(A, 4, 400n)]], [B, [ev(B, 1, 250n)]]]);
    const fold = foldBatch(current, apply);
    expect(fold.failures.map((f) => f.event.version)).toEqual([3]);
    expect(highestAppliedPosition(apply, fold.failures)).toBe(250n);
    expect(appliedEvents(apply, fold.failures).map((e) => e.position)).toEqual([200n, 250n]);
  });

  it('is 0n when nothing applies', () => {
    expect(highestAppliedPosition(new Map(), [])).toBe(0n);
  });
});
