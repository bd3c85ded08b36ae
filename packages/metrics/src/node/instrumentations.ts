import type { MeterProvider, TracerProvider } from '@opentelemetry/api';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { OPS_PATHS } from './ops-server';

/** Which auto-instrumentations to enable. @defaultValue all of them */
export interface InstrumentationChoice {
  /** Server spans for incoming requests (and the W3C `traceparent` they carry); client spans for outgoing ones. */
  readonly http?: boolean;
  /** Spans for `pg` queries, under a parent span only. */
  readonly pg?: boolean;
  /**
   * Spans for `ioredis` commands, under a parent span only.
   * @defaultValue only when spans are recorded: this one gives nothing else, and it wraps every
   * Redis call (BullMQ makes several per job) in span and context work that is thrown away.
   */
  readonly ioredis?: boolean;
}

/** The part of an OpenTelemetry instrumentation we drive (kept structural, so no extra dependency). */
export interface ManagedInstrumentation {
  setTracerProvider(provider: TracerProvider): void;
  setMeterProvider(provider: MeterProvider): void;
  disable(): void;
}

const isOpsRequest = (url: string | undefined): boolean => OPS_PATHS.includes((url ?? '').split('?')[0] ?? '');

/**
 * Builds (and thereby enables) the chosen instrumentations. They patch modules through
 * require hooks when those modules are FIRST required, so this must run before `pg`, `ioredis`
 * or `http` servers are loaded: see startTelemetry. Choices made here and why:
 * - probes and scrapes (`/healthz`, `/readyz`, `/metrics`) make no spans: they would drown the rest;
 * - pg and ioredis spans need a parent: BullMQ polling and pool housekeeping are not traced;
 * - no SQL parameter values and only the Redis command name: job payloads and amounts stay out of traces;
 * - ioredis only when spans are recorded (`spansRecorded`): pg's stays for its metrics, http's
 *   for the trace context incoming requests carry.
 */
export function createInstrumentations(choice: InstrumentationChoice, spansRecorded: boolean): ManagedInstrumentation[] {
  const created: ManagedInstrumentation[] = [];
  if (choice.http ?? true) {
    created.push(new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => isOpsRequest(req.url) }));
  }
  if (choice.pg ?? true) created.push(new PgInstrumentation({ requireParentSpan: true, enhancedDatabaseReporting: false }));
  if (choice.ioredis ?? spansRecorded) {
    created.push(new IORedisInstrumentation({ requireParentSpan: true, dbStatementSerializer: (command) => command }));
  }
  return created;
}
