import { MeterProvider, MetricReader, type GaugeMetricData } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { FailureTracker } from './failure-tracker';
import { registerGauges } from './gauges';
import { LastValues } from './last-values';
import { METRIC } from './names';

class TestReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

let provider: MeterProvider | undefined;
afterEach(async () => {
  await provider?.shutdown();
});

async function readGauges(register: (meter: ReturnType<MeterProvider['getMeter']>) => void) {
  const reader = new TestReader();
  provider = new MeterProvider({ readers: [reader] });
  register(provider.getMeter('test'));
  const collect = async () => {
    const { resourceMetrics } = await reader.collect();
    const all = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics) as GaugeMetricData[];
    return Object.fromEntries(all.map((m) => [m.descriptor.name, m.dataPoints.map((p) => ({ value: p.value, attributes: p.attributes }))]));
  };
  return collect;
}

describe('registerGauges', () => {
  it('registers only the gauges given, reads them at collection, and unregisters', async () => {
    const applied = new LastValues();
    let unregister = () => {};
    const collect = await readGauges((meter) => {
      unregister = registerGauges({ appliedPosition: applied.source, slotRetainedWal: async () => [{ value: 2048 }] }, meter);
    });
    applied.set(12_345n, { partition: 3 });
    applied.set(7, { partition: 1 });
    const first = await collect();
    expect(Object.keys(first).sort()).toEqual([METRIC.appliedPosition, METRIC.slotRetainedWal].sort());
    expect(first[METRIC.appliedPosition]).toEqual(
      expect.arrayContaining([
        { value: 12_345, attributes: { partition: 3 } },
        { value: 7, attributes: { partition: 1 } },
      ]),
    );
    expect(first[METRIC.slotRetainedWal]).toEqual([{ value: 2048, attributes: {} }]);
    applied.set(12_400n, { partition: 3 });
    expect((await collect())[METRIC.appliedPosition]).toContainEqual({ value: 12_400, attributes: { partition: 3 } });
    unregister();
    applied.set(99_999, { partition: 3 });
    const after = await collect();
    // The source is no longer read (the SDK still repeats the last value it saw; see registerGauges).
    expect(after[METRIC.appliedPosition] ?? []).not.toContainEqual({ value: 99_999, attributes: { partition: 3 } });
  });
});

describe('LastValues', () => {
  it('keys label sets by content, not key order', () => {
    const values = new LastValues();
    values.set(1, { partition: 1, code: 'X' });
    values.set(2, { code: 'X', partition: 1 });
    expect(values.get({ partition: 1, code: 'X' })).toBe(2);
    values.delete({ code: 'X', partition: 1 });
    expect([...(values.source() as Iterable<unknown>)]).toEqual([]);
  });
});

describe('FailureTracker', () => {
  it('counts failures in a row per label set, resets on success, keeps the last error time per code', () => {
    const failures = new FailureTracker();
    expect(failures.failed('STALE_WRITE', { partition: 2 }, 1_000)).toBe(1);
    expect(failures.failed('TRANSIENT_FAILURE', { partition: 2 }, 5_000)).toBe(2);
    expect(failures.failed('STALE_WRITE', { partition: 4 }, 6_000)).toBe(1);
    failures.succeeded({ partition: 4 });
    failures.succeeded({ partition: 9 }); // never failed: no series appears
    expect(failures.consecutive()).toEqual([
      { value: 2, attributes: { partition: 2 } },
      { value: 0, attributes: { partition: 4 } },
    ]);
    expect(failures.lastError()).toEqual([
      { value: 1, attributes: { partition: 2, code: 'STALE_WRITE' } },
      { value: 5, attributes: { partition: 2, code: 'TRANSIENT_FAILURE' } },
      { value: 6, attributes: { partition: 4, code: 'STALE_WRITE' } },
    ]);
  });
});
