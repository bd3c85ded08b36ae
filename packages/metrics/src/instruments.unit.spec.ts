import type { Meter } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { createInstruments } from './instruments';
import { LAG_BUCKETS_SECONDS, METRIC } from './names';

describe('createInstruments', () => {
  it('works with no SDK registered (no-op instruments)', () => {
    const instruments = createInstruments();
    expect(() => instruments.eventsApplied.add(3, { partition: 1 })).not.toThrow();
    expect(() => instruments.commitToProjectionLag.record(0.02)).not.toThrow();
  });

  it('registers every metric under its Prometheus name, lag with explicit buckets', () => {
    const created: Array<{ kind: string; name: string; options: unknown }> = [];
    const record = (kind: string) => (name: string, options: unknown) => {
      created.push({ kind, name, options });
      return { add: () => undefined, record: () => undefined };
    };
    const meter = { createCounter: record('counter'), createHistogram: record('histogram') } as unknown as Meter;
    createInstruments(meter);
    expect(created.map((c) => c.name).sort()).toEqual(Object.values(METRIC).sort());
    const lag = created.find((c) => c.name === METRIC.commitToProjectionLag)!;
    expect(lag.kind).toBe('histogram');
    expect(lag.options).toMatchObject({ unit: 's', advice: { explicitBucketBoundaries: LAG_BUCKETS_SECONDS } });
    for (const name of Object.values(METRIC)) expect(name).toMatch(/^ledgerflow_[a-z_]+$/);
  });
});
