import type { IncomingMessage, ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import { context, diag, DiagLogLevel, metrics, propagation, trace, type DiagLogger, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationType, MeterProvider, type ViewOptions } from '@opentelemetry/sdk-metrics';
import { AlwaysOffSampler, BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { registerGauges } from '../gauges';
import { createHistogram, ledgerflowMeter } from '../instruments';
import { PG_METRIC } from '../names';
import { TRACER_NAME } from '../request-span';
import { observeGcPauses } from './gc-pauses';
import { createInstrumentations, type InstrumentationChoice } from './instrumentations';
import { createPrometheusEndpoint, type PrometheusEndpoint } from './prometheus';

/** Where the SDK's own warnings and errors go (export failures, late-loaded modules …). */
export type TelemetryLog = (level: 'error' | 'warn', message: string) => void;

/** Explicit options: apps read OTEL_* variables in their config.ts and pass the values here. */
export interface TelemetryOptions {
  /** `service.name` of traces and `target_info` (e.g. `ledgerflow-api`). */
  readonly serviceName: string;
  /** `api`, `ingest`, `projector` …: the `app` label of every metric. */
  readonly app: string;
  readonly serviceVersion?: string;
  /** Metrics. `port` makes the exporter listen itself; without it serve `metricsHandler`. @defaultValue {} */
  readonly prometheus?: { readonly port?: number; readonly host?: string } | false;
  /** Full OTLP/HTTP traces URL (`http://jaeger:4318/v1/traces`); no export when unset. */
  readonly otlpTracesUrl?: string;
  /** Share of new traces recorded (parent-based: a sampled caller is always followed). @defaultValue 1 */
  readonly traceSampleRatio?: number;
  /** @defaultValue all enabled; false for none */
  readonly instrumentations?: InstrumentationChoice | false;
  /** More span processors (tests: a SimpleSpanProcessor over an InMemorySpanExporter). */
  readonly spanProcessors?: readonly SpanProcessor[];
  /** @defaultValue JSON lines on stderr */
  readonly log?: TelemetryLog;
}

/** A started SDK. */
export interface Telemetry {
  /** Ledgerflow's tracer (equivalent to `trace.getTracer('ledgerflow')`). */
  readonly tracer: Tracer;
  /** node:http handler answering `/metrics` (404 when metrics are off). */
  metricsHandler(req: IncomingMessage, res: ServerResponse): void;
  /** The Prometheus text (for fastify routes); empty when metrics are off. */
  collectMetrics(): Promise<string>;
  /** Exports the spans ended so far (tests, and before exit). */
  forceFlush(): Promise<void>;
  /** Flushes, stops exporting and unregisters everything (a later startTelemetry may run). */
  shutdown(): Promise<void>;
}

let running = false;

const stderrLog: TelemetryLog = (level, message) => process.stderr.write(`${JSON.stringify({ level, component: 'opentelemetry', msg: message })}\n`);

function diagLogger(log: TelemetryLog): DiagLogger {
  const format = (message: string, args: unknown[]) => [message, ...args.map((a) => (a instanceof Error ? a.message : String(a)))].join(' ');
  const ignore = () => undefined;
  return {
    error: (message, ...args) => log('error', format(message, args)),
    warn: (message, ...args) => log('warn', format(message, args)),
    info: ignore,
    debug: ignore,
    verbose: ignore,
  };
}

function startTracing(options: TelemetryOptions, resource: ReturnType<typeof defaultResource>): NodeTracerProvider {
  const processors: SpanProcessor[] = [...(options.spanProcessors ?? [])];
  if (options.otlpTracesUrl) processors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url: options.otlpTracesUrl })));
  const provider = new NodeTracerProvider({
    resource,
    // Nothing would read a recorded span: record none. Each pg query and Redis command would
    // otherwise build a full span (attributes, timings) to throw away, which profiling showed
    // is a measurable share of a projector's CPU at a few thousand small batches a second.
    sampler: processors.length === 0 ? new AlwaysOffSampler() : new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(options.traceSampleRatio ?? 1) }),
    spanProcessors: processors,
  });
  // Registered even with no exporter: trace context must still flow API → events → projector
  // (unsampled spans still carry their context).
  provider.register({ contextManager: new AsyncLocalStorageContextManager(), propagator: new W3CTraceContextPropagator() });
  return provider;
}

const VIEWS: ViewOptions[] = [
  // Our request histogram (route templates, status classes) replaces the http instrumentation's.
  { meterName: '@opentelemetry/instrumentation-http', aggregation: { type: AggregationType.DROP } },
  // pg's pool and query metrics are worth having, under names that follow our conventions.
  ...Object.entries(PG_METRIC).map(([instrumentName, name]) => ({ meterName: '@opentelemetry/instrumentation-pg', instrumentName, name })),
];

function startMetrics(options: TelemetryOptions, resource: ReturnType<typeof defaultResource>, log: TelemetryLog) {
  if (options.prometheus === false) return undefined;
  const endpoint = createPrometheusEndpoint(options.prometheus ?? {}, (message) => log('error', message));
  const provider = new MeterProvider({
    resource,
    readers: [endpoint.exporter],
    views: VIEWS,
  });
  metrics.setGlobalMeterProvider(provider);
  // Every app reports its own memory: the bound each stage must stay under is an acceptance figure.
  registerGauges({ processMemory: () => [{ value: process.memoryUsage().rss }] });
  // …and its garbage-collection pauses: the first suspect when lag has a tail (decision 018).
  const stopGcPauses = observeGcPauses(createHistogram(ledgerflowMeter(), 'gcPause'));
  return { provider, endpoint, stopGcPauses };
}

/**
 * Starts OpenTelemetry for an app: W3C trace context over AsyncLocalStorage, a tracer provider
 * (OTLP/HTTP export when `otlpTracesUrl` is set), a meter provider read by Prometheus, and the
 * pg, ioredis (when spans are recorded) and http instrumentations. Call it once, FIRST: the instrumentations patch
 * modules as they are required, so `pg`, `ioredis` and fastify must load after it (apps put
 * it in `src/telemetry.ts`, the first import of `main.ts`). Create instruments after it too.
 */
export function startTelemetry(options: TelemetryOptions): Telemetry {
  if (running) throw new Error('startTelemetry: already started in this process (call shutdown() first)');
  running = true;
  const log = options.log ?? stderrLog;
  diag.setLogger(diagLogger(log), DiagLogLevel.WARN);
  const resource = defaultResource().merge(
    resourceFromAttributes({
      'service.name': options.serviceName,
      'service.namespace': 'ledgerflow',
      'service.instance.id': `${hostname()}:${process.pid}`,
      ...(options.serviceVersion ? { 'service.version': options.serviceVersion } : {}),
      app: options.app,
    }),
  );
  const tracerProvider = startTracing(options, resource);
  const metering = startMetrics(options, resource, log);
  const spansRecorded = Boolean(options.otlpTracesUrl) || (options.spanProcessors?.length ?? 0) > 0;
  const instrumentations = options.instrumentations === false ? [] : createInstrumentations(options.instrumentations ?? {}, spansRecorded);
  for (const instrumentation of instrumentations) {
    instrumentation.setTracerProvider(tracerProvider);
    if (metering) instrumentation.setMeterProvider(metering.provider);
  }
  return telemetryHandle(tracerProvider, metering, instrumentations);
}

function telemetryHandle(
  tracerProvider: NodeTracerProvider,
  metering: { provider: MeterProvider; endpoint: PrometheusEndpoint; stopGcPauses: () => void } | undefined,
  instrumentations: ReturnType<typeof createInstrumentations>,
): Telemetry {
  let stopped: Promise<void> | undefined;
  return {
    tracer: tracerProvider.getTracer(TRACER_NAME),
    metricsHandler: (req, res) => {
      if (metering) return metering.endpoint.handler(req, res);
      res.writeHead(404).end();
    },
    collectMetrics: () => (metering ? metering.endpoint.collect() : Promise.resolve('')),
    forceFlush: () => tracerProvider.forceFlush(),
    shutdown: () =>
      (stopped ??= (async () => {
        for (const instrumentation of instrumentations) instrumentation.disable();
        metering?.stopGcPauses();
        await Promise.allSettled([tracerProvider.shutdown(), metering?.provider.shutdown()]);
        trace.disable();
        metrics.disable();
        propagation.disable();
        context.disable();
        diag.disable();
        running = false;
      })()),
  };
}
