import { context, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { injectTraceContext, linksFromCarriers } from '../trace-context';
import { startOtlpReceiver, type OtlpReceiver } from './otlp-receiver';
import { startTelemetry, type Telemetry } from './telemetry';

let receiver: OtlpReceiver;
let telemetry: Telemetry;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  telemetry = startTelemetry({ serviceName: 'ledgerflow-otlp-test', app: 'otlp_test', otlpTracesUrl: receiver.tracesUrl, instrumentations: false, log: () => undefined });
});
afterAll(async () => {
  await telemetry?.shutdown();
  await receiver?.close();
});

describe('startTelemetry', () => {
  it('exports spans over OTLP/HTTP with the service name, and keeps context across awaits', async () => {
    const carrier = await telemetry.tracer.startActiveSpan('command', async (span) => {
      await new Promise((r) => setTimeout(r, 5));
      const injected = injectTraceContext();
      span.end();
      return injected;
    });
    // A batch span elsewhere links back to the command's trace.
    telemetry.tracer.startSpan('batch', { links: linksFromCarriers([carrier]) }).end();
    await telemetry.forceFlush();
    const received = receiver.spans();
    expect(receiver.stats.requests).toBeGreaterThan(0);
    const command = received.find((s) => s.name === 'command')!;
    const batch = received.find((s) => s.name === 'batch')!;
    expect(command.serviceName).toBe('ledgerflow-otlp-test');
    expect(carrier.traceparent).toBe(`00-${command.traceId}-${command.spanId}-01`);
    expect(batch.links).toEqual([{ traceId: command.traceId, spanId: command.spanId }]);
    expect(batch.traceId).not.toBe(command.traceId);
  });

  it('registers the W3C propagator and AsyncLocalStorage context globally', async () => {
    const span = telemetry.tracer.startSpan('outer');
    const seen = await context.with(trace.setSpan(context.active(), span), async () => {
      await new Promise((r) => setImmediate(r));
      const headers: Record<string, string> = {};
      (await import('@opentelemetry/api')).propagation.inject(context.active(), headers);
      return headers['traceparent'];
    });
    span.end();
    expect(seen).toBe(`00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`);
  });

  it('refuses a second start in the same process', () => {
    expect(() => startTelemetry({ serviceName: 'x', app: 'x' })).toThrow(/already started/);
  });
});
