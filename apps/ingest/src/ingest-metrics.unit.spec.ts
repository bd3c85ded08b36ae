import { LedgerflowError, partitionOf, type StoredEvent } from '@ledgerflow/cdc-core';
import type { GaugeKey, GaugeReading, Instruments } from '@ledgerflow/metrics';
import { describe, expect, it } from 'vitest';
import { IngestMetrics } from './ingest-metrics';

/** Instruments that record their calls: [instrument, value, attributes]. */
function recordingInstruments() {
  const calls: Array<[string, number, unknown]> = [];
  const instruments = new Proxy(
    {},
    { get: (_, key) => ({ add: (v: number, a: unknown) => calls.push([String(key), v, a]), record: (v: number, a: unknown) => calls.push([String(key), v, a]) }) },
  ) as Instruments;
  return { instruments, calls };
}

const PARTITIONS = 4;
// Stream ids that land in partitions 0 and 1.
const streams = Array.from({ length: 64 }, (_, i) => `00000000-0000-4000-8000-${i.toString().padStart(12, '0')}`);
const streamOf = (partition: number) => streams.find((s) => partitionOf(s, PARTITIONS) === partition)!;
const event = (partition: number, position: bigint, committedAtMs: number): StoredEvent => ({
  position,
  eventId: `e${position}`,
  streamId: streamOf(partition),
  version: 1,
  type: 'MoneyDeposited',
  data: '{}',
  metadata: '{}',
  createdAt: new Date(committedAtMs).toISOString(),
  committedAtMs,
});

function setup() {
  let now = 10_000;
  const { instruments, calls } = recordingInstruments();
  const metrics = new IngestMetrics({ partitions: PARTITIONS, instruments, now: () => now });
  const sources = metrics.gaugeSources();
  const gauge = async (key: GaugeKey): Promise<GaugeReading[]> => [...(await sources[key]!())];
  return { metrics, calls, gauge, setNow: (ms: number) => (now = ms) };
}

describe('IngestMetrics', () => {
  it('counts refills that ran to the end, by cause', () => {
    const { metrics, calls } = setup();
    metrics.refilled('redis_loss');
    metrics.refilled('postgres_crash');
    expect(calls).toEqual([
      ['ingestRefills', 1, { cause: 'redis_loss' }],
      ['ingestRefills', 1, { cause: 'postgres_crash' }],
    ]);
  });

  it('tallies reads per partition and hands them to the counter only on flushReads', () => {
    const { metrics, calls } = setup();
    metrics.read(event(0, 1n, 9_000));
    metrics.read(event(0, 2n, 9_000));
    metrics.read(event(1, 3n, 9_000));
    expect(calls).toEqual([]);
    metrics.flushReads();
    expect(calls).toEqual([
      ['eventsRead', 2, { partition: 0 }],
      ['eventsRead', 1, { partition: 1 }],
    ]);
    metrics.flushReads();
    expect(calls).toHaveLength(2);
  });

  it('labels reads by the partition count agreed with the database once it is known', () => {
    const { instruments, calls } = recordingInstruments();
    const metrics = new IngestMetrics({ partitions: 16, instruments });
    metrics.usePartitions(PARTITIONS);
    const streamOn3 = streams.find((s) => partitionOf(s, PARTITIONS) === 3 && partitionOf(s, 16) !== 3)!;
    metrics.read({ ...event(0, 1n, 9_000), streamId: streamOn3 });
    metrics.flushReads();
    expect(calls).toEqual([['eventsRead', 1, { partition: 3 }]]);
  });

  it('reports the read and enqueued rungs per partition: newest position, and its lag at the time', async () => {
    const { metrics, calls, gauge, setNow } = setup();
    setNow(10_000);
    metrics.read(event(0, 5n, 9_900));
    metrics.read(event(0, 4n, 9_000)); // older position (commit order ≠ position order): the rung stays
    setNow(10_300);
    metrics.enqueued(0, [event(0, 5n, 9_900), event(0, 4n, 9_000)], 1);
    metrics.enqueueTook(0.012);
    expect(await gauge('readPosition')).toEqual([{ value: 5n, attributes: { partition: 0 } }]);
    expect(await gauge('readLag')).toEqual([{ value: 0.1, attributes: { partition: 0 } }]);
    expect(await gauge('enqueuedPosition')).toEqual([{ value: 5n, attributes: { partition: 0 } }]);
    expect(await gauge('enqueuedLag')).toEqual([{ value: 0.4, attributes: { partition: 0 } }]);
    expect(calls).toEqual([
      ['jobsEnqueued', 1, { partition: 0 }],
      ['eventsEnqueued', 2, { partition: 0 }],
      ['enqueueDuration', 0.012, undefined],
    ]);
    expect(metrics.positions(0)).toEqual({ read: 5n, enqueued: 5n });
  });

  it('keeps the WAL ladder ordered: read rises with commits, keepalives and confirmations; nothing moves back', async () => {
    const { metrics, gauge } = setup();
    expect(await gauge('walReadPosition')).toEqual([]);
    metrics.walConfirmed(0x100n); // found on the slot at start
    expect(await gauge('walReadPosition')).toEqual([{ value: 0x100n }]);
    metrics.walRead(0x200n);
    metrics.walKeepalive('0/180'); // overtaken by a commit already read
    expect(await gauge('walReadPosition')).toEqual([{ value: 0x200n }]);
    metrics.walKeepalive('0/300');
    metrics.walConfirmed(0x200n);
    metrics.walConfirmed(0x150n);
    expect(await gauge('walReadPosition')).toEqual([{ value: 0x300n }]);
    expect(await gauge('walConfirmedPosition')).toEqual([{ value: 0x200n }]);
    expect(await gauge('walHeadPosition')).toEqual([]);
    metrics.walStats({ headBytes: 0x400n, retainedBytes: 0x280n });
    expect(await gauge('walHeadPosition')).toEqual([{ value: 0x400n }]);
    expect(await gauge('slotRetainedWal')).toEqual([{ value: 0x280n }]);
  });

  it('keeps queue depths per partition', async () => {
    const { metrics, gauge } = setup();
    metrics.queueDepth(0, 3);
    metrics.queueDepth(1, 0);
    metrics.queueDepth(0, 2);
    expect(await gauge('queueDepth')).toEqual([
      { value: 2, attributes: { partition: 0 } },
      { value: 0, attributes: { partition: 1 } },
    ]);
  });

  it('tracks the session for /readyz and the failure streak for the gauges', async () => {
    const { metrics, calls, gauge, setNow } = setup();
    expect(metrics.streaming).toBe(false);
    metrics.sessionStreaming();
    expect(metrics.streaming).toBe(true);
    expect(await gauge('consecutiveFailures')).toEqual([]);
    metrics.sessionFailed(new Error('Connection is closed.'));
    metrics.sessionFailed(new LedgerflowError('CDC_DECODE_FAILED', 'bad row'));
    expect(metrics.streaming).toBe(false);
    expect(metrics.lastFailure).toBe('CDC_DECODE_FAILED: bad row');
    expect(await gauge('consecutiveFailures')).toEqual([{ value: 2, attributes: {} }]);
    expect(await gauge('lastErrorTime')).toEqual([
      { value: 10, attributes: { code: 'TRANSIENT_FAILURE' } },
      { value: 10, attributes: { code: 'CDC_DECODE_FAILED' } },
    ]);
    setNow(20_000);
    metrics.sessionStreaming();
    expect(await gauge('consecutiveFailures')).toEqual([{ value: 0, attributes: {} }]);
    metrics.sessionEnded();
    expect(metrics.streaming).toBe(false);
    metrics.decodeFailed(new LedgerflowError('CDC_DECODE_FAILED', 'bad row'));
    expect(calls).toEqual([['ingestEventsFailed', 1, { code: 'CDC_DECODE_FAILED' }]]);
  });
});
