// Node entry (apps only): the OpenTelemetry SDK, Prometheus and OTLP export, the ops server.
// Packages use the root entry; this one starts global state and patches modules.
export { startTelemetry } from './telemetry';
export type { Telemetry, TelemetryLog, TelemetryOptions } from './telemetry';
export type { InstrumentationChoice } from './instrumentations';
export { OPS_PATHS, createOpsServer } from './ops-server';
export type { OpsServer, OpsServerOptions } from './ops-server';
export { PROMETHEUS_CONTENT_TYPE } from '../exposition';
export { checkReadiness, readinessResponse, reasonOf, withTimeout } from '../readiness';
export type { Readiness, ReadinessCheck, ReadinessResponse } from '../readiness';
export { createBullMQTelemetry } from './bullmq';
export { extractTraceContext, injectTraceContext, linksFromCarriers, traceCarrierOfMetadata } from '../trace-context';
export type { TraceCarrier } from '../trace-context';
// For tests of apps: record spans in memory (pass a SimpleSpanProcessor in spanProcessors).
export { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
export type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';
// For tests, including end-to-end tests of real processes: a minimal OTLP/HTTP JSON receiver.
export { spansOfExport, startOtlpReceiver } from './otlp-receiver';
export type { OtlpReceiver, ReceivedSpan } from './otlp-receiver';
export { promtoolCheck } from './promtool';
export type { PromtoolResult } from './promtool';
