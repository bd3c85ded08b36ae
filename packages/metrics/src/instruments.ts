import { metrics, type Counter, type Histogram, type Meter } from '@opentelemetry/api';
import { CATALOGUE, type HistogramSpec, type KeysOfKind, type MetricSpec } from './catalogue';
import { METRIC, type MetricKey } from './names';

/** Name of the meter every Ledgerflow instrument lives on (its `otel_scope_name`). */
export const METER_NAME = 'ledgerflow';

type CounterKey = KeysOfKind<'counter'>;
type HistogramKey = KeysOfKind<'histogram'>;

/** The synchronous instruments of the catalogue (gauges are observable: see registerGauges). */
export type Instruments = { readonly [K in CounterKey]: Counter } & { readonly [K in HistogramKey]: Histogram };

/** The global meter provider's Ledgerflow meter. */
export function ledgerflowMeter(): Meter {
  return metrics.getMeter(METER_NAME);
}

/**
 * Creates every counter and histogram of the catalogue on `meter` (default: the global
 * provider's `ledgerflow` meter). The OpenTelemetry API has no proxy meter, so call this AFTER
 * the app started its SDK (startTelemetry); before, or with no SDK at all, instruments are
 * no-ops. Packages take an `Instruments` from their app instead of creating their own.
 */
export function createInstruments(meter: Meter = ledgerflowMeter()): Instruments {
  const created: Record<string, Counter | Histogram> = {};
  for (const [key, spec] of Object.entries(CATALOGUE) as Array<[MetricKey, MetricSpec]>) {
    if (spec.kind === 'counter') created[key] = meter.createCounter(METRIC[key], { description: spec.description });
    if (spec.kind === 'histogram') created[key] = createHistogram(meter, key as HistogramKey);
  }
  return Object.freeze(created) as Instruments;
}

/** One histogram of the catalogue, with its unit and buckets (for a component that records only it). */
export function createHistogram(meter: Meter, key: HistogramKey): Histogram {
  const spec: HistogramSpec = CATALOGUE[key];
  return meter.createHistogram(METRIC[key], {
    description: spec.description,
    ...(spec.unit === undefined ? {} : { unit: spec.unit }),
    advice: { explicitBucketBoundaries: [...spec.buckets] },
  });
}
