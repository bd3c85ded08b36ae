import type { Meter } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { CATALOGUE } from './catalogue';
import { createInstruments } from './instruments';
import { LAG_BUCKETS_SECONDS, METRIC, type MetricKey } from './names';

describe('createInstruments', () => {
  it('works with no SDK registered (no-op instruments)', () => {
    const instruments = createInstruments();
    expect(() => instruments.eventsApplied.add(3, { partition: 1 })).not.toThrow();
    expect(() => instruments.commitToProjectionLag.record(0.02)).not.toThrow();
  });

  it('creates every counter and histogram under its name, and no gauge (those are observable)', () => {
    const created: Array<{ kind: string; name: string; options: unknown }> = [];
    const record = (kind: string) => (name: string, options: unknown) => {
      created.push({ kind, name, options });
      return { add: () => undefined, record: () => undefined };
    };
    const meter = { createCounter: record('counter'), createHistogram: record('histogram') } as unknown as Meter;
    const instruments = createInstruments(meter);
    const sync = (Object.keys(CATALOGUE) as MetricKey[]).filter((k) => CATALOGUE[k].kind !== 'gauge');
    expect(Object.keys(instruments).sort()).toEqual([...sync].sort());
    expect(created.map((c) => c.name).sort()).toEqual(sync.map((k) => METRIC[k]).sort());
    for (const c of created) expect(c.kind).toBe(CATALOGUE[(Object.keys(METRIC) as MetricKey[]).find((k) => METRIC[k] === c.name)!].kind);
    const lag = created.find((c) => c.name === METRIC.commitToProjectionLag)!;
    expect(lag.options).toMatchObject({ unit: 's', advice: { explicitBucketBoundaries: LAG_BUCKETS_SECONDS } });
    const batchEvents = created.find((c) => c.name === METRIC.batchEvents)!;
    expect(batchEvents.options).not.toHaveProperty('unit');
  });
});
