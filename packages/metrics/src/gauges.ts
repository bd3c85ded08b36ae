import type { Attributes, Meter, ObservableCallback } from '@opentelemetry/api';
import { CATALOGUE, type KeysOfKind } from './catalogue';
import { ledgerflowMeter } from './instruments';
import { METRIC } from './names';

/** Key of an observable gauge of the catalogue. */
export type GaugeKey = KeysOfKind<'gauge'>;

/** One value of a gauge with its labels (positions may be bigint; they are exported as numbers). */
export interface GaugeReading {
  readonly value: number | bigint;
  readonly attributes?: Attributes;
}

/**
 * Reads the current values at scrape time. Keep it cheap and local (read a value the app
 * already holds, see LastValues): a slow source delays every scrape. Async is allowed.
 */
export type GaugeSource = () => Iterable<GaugeReading> | Promise<Iterable<GaugeReading>>;

/** The gauges one app knows, each with its source. */
export type GaugeSources = { readonly [K in GaugeKey]?: GaugeSource };

/**
 * Registers observable gauges for the given sources on `meter` (default: the global Ledgerflow
 * meter, so call it after startTelemetry). Only the gauges an app knows are registered, so
 * no app exports empty rungs of the lag ladder it cannot see. Returns the unregister function
 * (call it when the component stops: its sources are no longer called).
 *
 * Caveat (OpenTelemetry JS SDK 2.12): with cumulative temporality, which Prometheus uses, a
 * label set once observed keeps being exported with its last value even after callbacks stop
 * observing it or are removed (the spec says SHOULD NOT). So a partition handed to another
 * projector keeps its old value here until restart: dashboards take `max by (partition)` of
 * positions across instances, and sources should keep reporting the label sets they own.
 */
export function registerGauges(sources: GaugeSources, meter: Meter = ledgerflowMeter()): () => void {
  const removers: Array<() => void> = [];
  for (const [key, source] of Object.entries(sources) as Array<[GaugeKey, GaugeSource | undefined]>) {
    if (!source) continue;
    const spec = CATALOGUE[key];
    const gauge = meter.createObservableGauge(METRIC[key], {
      description: spec.description,
      ...('unit' in spec && spec.unit !== undefined ? { unit: spec.unit } : {}),
    });
    const callback: ObservableCallback = async (result) => {
      for (const reading of await source()) result.observe(Number(reading.value), reading.attributes);
    };
    gauge.addCallback(callback);
    removers.push(() => gauge.removeCallback(callback));
  }
  return () => {
    for (const remove of removers.splice(0)) remove();
  };
}
