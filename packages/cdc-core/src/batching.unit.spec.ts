import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batchJobId, planPartitionBatches, type PartitionBatch } from './batching';
import { partitionOf } from './partition';
import type { StoredEvent } from './stored-event';

function uuidOf(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

/** Events in commit order: `streams[i]` is the stream index of the i-th event. */
function commitOrder(streams: readonly number[]): StoredEvent[] {
  const versions = new Map<number, number>();
  return streams.map((s, i) => {
    const version = (versions.get(s) ?? 0) + 1;
    versions.set(s, version);
    return {
      position: BigInt(i + 1),
      eventId: uuidOf(1_000_000 + i),
      streamId: uuidOf(s),
      version,
      type: 'MoneyDeposited',
      data: '{}',
      metadata: '{}',
      createdAt: '2024-01-02T03:04:05.000Z',
    };
  });
}

describe('planPartitionBatches', () => {
  it('property: every event exactly once, per-stream order kept, batches within size and one partition each', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 30 }), { maxLength: 300 }),
        fc.integer({ min: 1, max: 16 }),
        fc.integer({ min: 1, max: 40 }),
        (streams, partitions, max) => {
          const events = commitOrder(streams);
          const batches = planPartitionBatches(events, partitions, max);
          const flat = batches.flatMap((b) => b.events);
          expect(flat).toHaveLength(events.length);
          expect(new Set(flat.map((e) => e.eventId)).size).toBe(events.length);
          for (const batch of batches) {
            expect(batch.events.length).toBeGreaterThan(0);
            expect(batch.events.length).toBeLessThanOrEqual(max);
            for (const e of batch.events) expect(partitionOf(e.streamId, partitions)).toBe(batch.partition);
          }
          // Per stream, the concatenation of the batches is versions 1, 2, 3 … in order.
          const seen = new Map<string, number>();
          for (const e of flat) {
            expect(e.version).toBe((seen.get(e.streamId) ?? 0) + 1);
            seen.set(e.streamId, e.version);
          }
          // Inside a partition, events keep commit (position) order across its batches.
          const lastPosition = new Map<number, bigint>();
          for (const batch of batches) {
            for (const e of batch.events) {
              expect(e.position > (lastPosition.get(batch.partition) ?? 0n)).toBe(true);
              lastPosition.set(batch.partition, e.position);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('splits one busy partition into full batches and a remainder', () => {
    const events = commitOrder(new Array<number>(25).fill(7));
    const batches = planPartitionBatches(events, 4, 10);
    expect(batches.map((b) => b.events.length)).toEqual([10, 10, 5]);
    expect(new Set(batches.map((b) => b.partition)).size).toBe(1);
  });

  it('returns nothing for no events', () => {
    expect(planPartitionBatches([], 16, 10)).toEqual([]);
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects a max batch size of %s', (max) => {
    expect(() => planPartitionBatches(commitOrder([1]), 16, max)).toThrow(RangeError);
  });
});

describe('batchJobId', () => {
  const batch = (partition: number, positions: bigint[]): PartitionBatch => ({
    partition,
    events: positions.map((position, i) => ({ ...commitOrder([1])[0]!, position, version: i + 1 })),
  });

  it('is a valid BullMQ job id: no colon and not all digits', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1023 }), fc.array(fc.bigInt({ min: 1n, max: 2n ** 63n - 1n }), { minLength: 1, maxLength: 5 }), (p, positions) => {
        const id = batchJobId(batch(p, positions));
        expect(id).not.toContain(':');
        expect(id).not.toMatch(/^[0-9]+$/);
      }),
    );
  });

  it('is deterministic, so re-enqueueing the same batch dedupes, and differs between batches', () => {
    expect(batchJobId(batch(3, [10n, 11n]))).toBe(batchJobId(batch(3, [10n, 11n])));
    expect(batchJobId(batch(3, [10n, 11n]))).toBe('p3-10-11-2');
    const ids = [batch(3, [10n, 11n]), batch(4, [10n, 11n]), batch(3, [10n]), batch(3, [10n, 12n]), batch(3, [9n, 11n])].map(batchJobId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keeps positions beyond 2^53 exact', () => {
    expect(batchJobId(batch(0, [9_007_199_254_740_993n]))).toBe('p0-9007199254740993-9007199254740993-1');
  });

  it('refuses an empty batch', () => {
    expect(() => batchJobId({ partition: 0, events: [] })).toThrow(RangeError);
  });
});
