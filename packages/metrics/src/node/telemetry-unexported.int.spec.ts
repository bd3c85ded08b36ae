import { context, propagation, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTelemetry, type Telemetry } from './telemetry';

// Its own file: startTelemetry runs once per process, and here without any exporter.
let telemetry: Telemetry;

beforeAll(() => {
  telemetry = startTelemetry({ serviceName: 'ledgerflow-unexported-test', app: 'unexported_test', instrumentations: false, prometheus: false, log: () => undefined });
});
afterAll(async () => {
  await telemetry?.shutdown();
});

describe('startTelemetry without a trace exporter', () => {
  it('records no span (nothing would read it), yet trace context still flows', async () => {
    const span = telemetry.tracer.startSpan('command');
    expect(span.isRecording()).toBe(false);
    expect(trace.isSpanContextValid(span.spanContext())).toBe(true);
    const headers: Record<string, string> = {};
    await context.with(trace.setSpan(context.active(), span), async () => {
      await new Promise((r) => setImmediate(r));
      propagation.inject(context.active(), headers);
    });
    span.end();
    expect(headers['traceparent']).toBe(`00-${span.spanContext().traceId}-${span.spanContext().spanId}-00`);
  });
});
