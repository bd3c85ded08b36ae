import { describe, expect, it } from 'vitest';
import { CATALOGUE, type MetricSpec } from './catalogue';
import { ATTRIBUTE, METRIC, PG_METRIC, type MetricKey } from './names';

const entries = Object.entries(CATALOGUE) as Array<[MetricKey, MetricSpec]>;

describe('metric catalogue', () => {
  it('describes exactly the metrics in METRIC, with unique names', () => {
    expect(Object.keys(CATALOGUE).sort()).toEqual(Object.keys(METRIC).sort());
    expect(new Set(Object.values(METRIC)).size).toBe(Object.values(METRIC).length);
  });

  it.each(entries)('%s: Prometheus name, unit suffix, bounded labels, help text', (key, spec) => {
    const name = METRIC[key];
    expect(name).toMatch(/^ledgerflow_[a-z0-9_]+$/);
    expect(name).not.toMatch(/__|_$/);
    // The exporter appends _total to counters; Prometheus reserves these suffixes.
    expect(name).not.toMatch(/_(total|count|sum|bucket|created|info)$/);
    // Base units only, spelled out (promtool rejects _ms, _milliseconds, _kb …).
    expect(name).not.toMatch(/_(ms|milliseconds|microseconds|sec|secs|kb|mb|kilobytes|megabytes|percent)(_|$)/);
    // promtool: a metric's name must not contain its type.
    expect(name).not.toMatch(/_(counter|gauge|histogram|summary)(_|$)/);
    const unit = 'unit' in spec ? spec.unit : undefined;
    expect(unit === 's', `${name}: unit s ⇔ _seconds`).toBe(name.endsWith('_seconds'));
    expect(unit === 'By', `${name}: unit By ⇔ _bytes`).toBe(name.endsWith('_bytes'));
    expect(spec.description.length).toBeGreaterThan(10);
    const allowed: readonly string[] = Object.values(ATTRIBUTE);
    for (const label of spec.labels) expect(allowed).toContain(label);
    if (spec.kind === 'histogram') {
      expect(spec.buckets.length).toBeGreaterThan(3);
      expect([...spec.buckets].sort((a, b) => a - b)).toEqual(spec.buckets);
    }
  });

  it('renames the pg instrumentation metrics to our conventions', () => {
    for (const name of Object.values(PG_METRIC)) expect(name).toMatch(/^ledgerflow_pg_[a-z_]+$/);
    expect(PG_METRIC['db.client.operation.duration']).toMatch(/_seconds$/);
    expect(Object.values(PG_METRIC).some((n) => /_(total|count|sum|bucket)$/.test(n))).toBe(false);
  });

  it('covers each rung of the lag ladder per partition, in positions and seconds', () => {
    for (const rung of ['read', 'enqueued', 'applied', 'checkpointed'] as const) {
      const position = CATALOGUE[`${rung}Position`];
      const lag = CATALOGUE[`${rung}Lag`];
      expect(position).toMatchObject({ kind: 'gauge', labels: ['partition'] });
      expect(lag).toMatchObject({ kind: 'gauge', labels: ['partition'], unit: 's' });
    }
    for (const key of ['walHeadPosition', 'walReadPosition', 'walConfirmedPosition', 'slotRetainedWal'] as const) {
      expect(CATALOGUE[key]).toMatchObject({ kind: 'gauge', unit: 'By' });
    }
  });
});
