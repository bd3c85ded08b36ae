// Root entry: names, instruments and trace-context helpers on the OpenTelemetry API only.
// Safe for packages; with no SDK registered everything is a no-op. The SDK lives in ./node.
export { ATTRIBUTE, BATCH_SIZE_BUCKETS, GC_PAUSE_BUCKETS_SECONDS, LAG_BUCKETS_SECONDS, LATENCY_BUCKETS_SECONDS, METRIC, PG_METRIC } from './names';
export type { Label, MetricKey } from './names';
export { CATALOGUE } from './catalogue';
export type { CounterSpec, GaugeSpec, HistogramSpec, KeysOfKind, MetricSpec, MetricUnit } from './catalogue';
export { METER_NAME, createInstruments, ledgerflowMeter } from './instruments';
export type { Instruments } from './instruments';
export { registerGauges } from './gauges';
export type { GaugeKey, GaugeReading, GaugeSource, GaugeSources } from './gauges';
export { LastValues, attributesKey } from './last-values';
export { FailureTracker } from './failure-tracker';
export {
  MAX_LINKS,
  carrierOf,
  extractTraceContext,
  formatTraceparent,
  injectTraceContext,
  linksFromCarriers,
  parseTraceparent,
  spanContextOf,
  traceCarrierOfMetadata,
} from './trace-context';
export type { TraceCarrier } from './trace-context';
export { TRACER_NAME, startRequestSpan, statusClass } from './request-span';
export type { RequestSpan, RequestSpanInput } from './request-span';
export { PROMETHEUS_CONTENT_TYPE } from './exposition';
export { checkReadiness, readinessResponse, reasonOf, withTimeout } from './readiness';
export type { Readiness, ReadinessCheck, ReadinessResponse } from './readiness';
export type { Attributes } from '@opentelemetry/api';
