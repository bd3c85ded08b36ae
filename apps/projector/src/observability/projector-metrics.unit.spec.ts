import { LedgerflowError, type StoredEvent } from '@ledgerflow/cdc-core';
import type { Attributes, GaugeSource, Instruments } from '@ledgerflow/metrics';
import { describe, expect, it } from 'vitest';
import type { BatchOutcome } from '../project-batch';
import { ProjectorMetrics } from './projector-metrics';

interface Call {
  readonly instrument: string;
  readonly value: number;
  readonly attributes: Attributes | undefined;
}

/** Instruments that remember what they were given (the SDK itself is tested in @ledgerflow/metrics). */
function recordingInstruments(): { instruments: Instruments; calls: Call[] } {
  const calls: Call[] = [];
  const instrument = (name: string) => {
    const remember = (value: number, attributes?: Attributes) => void calls.push({ instrument: name, value, attributes });
    return { add: remember, record: remember };
  };
  const instruments = new Proxy({}, { get: (_target, name) => instrument(String(name)) }) as unknown as Instruments;
  return { instruments, calls };
}

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const event = (position: bigint, committedAtMs: number): StoredEvent => ({
  position,
  eventId: '00000000-0000-4000-8000-000000000001',
  streamId: '00000000-0000-4000-8000-000000000002',
  version: 1,
  type: 'MoneyDeposited',
  data: '{}',
  metadata: '{}',
  createdAt: new Date(committedAtMs - 5).toISOString(),
  committedAtMs,
});
const outcome = (applied: StoredEvent[], failureCodes: string[] = []): BatchOutcome => ({
  stats: { applied: applied.length, duplicates: 1, repaired: 0, failures: failureCodes.length, held: 0 },
  applied,
  failureCodes,
});
const read = async (source: GaugeSource | undefined) => [...(await source!())];

describe('ProjectorMetrics', () => {
  it('counts a committed batch, records the lag of every applied event and moves both rungs to the newest', async () => {
    const { instruments, calls } = recordingInstruments();
    const metrics = new ProjectorMetrics(instruments);
    const applied = [event(12n, T0 + 100), event(10n, T0), event(11n, T0 + 50)];
    metrics.committed({ partition: 3, events: 5, outcome: outcome(applied, ['EVENT_RULE_VIOLATION']), durationSeconds: 0.02, committedAtMs: T0 + 400 });
    const of = (name: string) => calls.filter((c) => c.instrument === name);
    expect(of('batches')).toEqual([{ instrument: 'batches', value: 1, attributes: { partition: 3 } }]);
    expect(of('eventsProcessed')[0]!.value).toBe(5);
    expect(of('eventsApplied')[0]!.value).toBe(3);
    expect(of('eventsDuplicate')[0]!.value).toBe(1);
    expect(of('eventsFailed')).toEqual([{ instrument: 'eventsFailed', value: 1, attributes: { partition: 3, code: 'EVENT_RULE_VIOLATION' } }]);
    expect(of('batchEvents')[0]!.value).toBe(5);
    expect(of('commitToProjectionLag').map((c) => c.value)).toEqual([0.3, 0.4, 0.35]);
    const sources = metrics.gaugeSources();
    expect(await read(sources.appliedPosition)).toEqual([{ value: 12n, attributes: { partition: 3 } }]);
    expect(await read(sources.checkpointedPosition)).toEqual([{ value: 12n, attributes: { partition: 3 } }]);
    expect(await read(sources.appliedLag)).toEqual([{ value: 0.3, attributes: { partition: 3 } }]);
  });

  it('knows the checkpoint of an acquired partition before applying anything, and forgets it when that ownership ends', async () => {
    const metrics = new ProjectorMetrics(recordingInstruments().instruments);
    const release = metrics.acquired(1, 40n);
    metrics.acquired(2, undefined);
    const sources = metrics.gaugeSources();
    expect(await read(sources.checkpointedPosition)).toEqual([{ value: 40n, attributes: { partition: 1 } }]);
    expect(await read(sources.appliedPosition)).toEqual([]);
    release();
    expect(await read(sources.checkpointedPosition)).toEqual([]);
  });

  it('ignores the late release of an ownership that a newer one replaced', async () => {
    const metrics = new ProjectorMetrics(recordingInstruments().instruments);
    const dropped = metrics.acquired(1, 40n);
    metrics.acquired(1, 55n); // taken back on a fresh connection while the old consumer drains
    dropped();
    expect(await read(metrics.gaugeSources().checkpointedPosition)).toEqual([{ value: 55n, attributes: { partition: 1 } }]);
  });

  it('ends a streak of fetch failures at the next fetch, but one with a rolled-back batch only at a commit', async () => {
    const { instruments, calls } = recordingInstruments();
    const metrics = new ProjectorMetrics(instruments);
    const streak = async () => (await read(metrics.gaugeSources().consecutiveFailures)).find((r) => r.attributes?.['partition'] === 0)?.value;
    metrics.fetchFailed(0, new Error('Connection is closed.'));
    metrics.fetchFailed(0, new Error('Connection is closed.'));
    expect(await streak()).toBe(2);
    metrics.fetched(0);
    expect(await streak()).toBe(0);
    metrics.rolledBack(0, new LedgerflowError('STALE_WRITE', 'moved on', { retryable: true }));
    metrics.fetched(0); // the job waits out its backoff: an empty fetch is no success of the batch
    expect(await streak()).toBe(1);
    metrics.committed({ partition: 0, events: 1, outcome: outcome([event(1n, T0)]), durationSeconds: 0.01, committedAtMs: T0 });
    expect(await streak()).toBe(0);
    expect(calls.find((c) => c.instrument === 'batchFailures')?.attributes).toEqual({ partition: 0, code: 'STALE_WRITE' });
    const lastErrors = await read(metrics.gaugeSources().lastErrorTime);
    expect(lastErrors.map((r) => r.attributes)).toEqual([
      { partition: 0, code: 'TRANSIENT_FAILURE' },
      { partition: 0, code: 'STALE_WRITE' },
    ]);
  });

  it('reports parked accounts once counted', async () => {
    const metrics = new ProjectorMetrics(recordingInstruments().instruments);
    expect(await read(metrics.gaugeSources().parkedAccounts)).toEqual([]);
    metrics.parked(2);
    expect(await read(metrics.gaugeSources().parkedAccounts)).toEqual([{ value: 2 }]);
  });
});
