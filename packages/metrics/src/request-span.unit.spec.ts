import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRequestSpan, statusClass } from './request-span';
import { injectTraceContext } from './trace-context';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const tracer = provider.getTracer('test');
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterAll(async () => {
  context.disable();
  await provider.shutdown();
});

describe('startRequestSpan', () => {
  it('continues the caller trace as a SERVER span and is active inside run()', async () => {
    exporter.reset();
    const span = startRequestSpan({ method: 'POST', route: '/accounts/:id/deposits', headers: { traceparent: TRACEPARENT } }, tracer);
    const inside = await span.run(async () => {
      await new Promise((r) => setTimeout(r, 1));
      return injectTraceContext();
    });
    span.end(201);
    const [finished] = exporter.getFinishedSpans();
    expect(finished).toMatchObject({ name: 'POST /accounts/:id/deposits', kind: SpanKind.SERVER });
    expect(finished!.spanContext().traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(finished!.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(finished!.attributes).toMatchObject({ 'http.route': '/accounts/:id/deposits', 'http.response.status_code': 201 });
    expect(inside.traceparent).toBe(`00-${finished!.spanContext().traceId}-${finished!.spanContext().spanId}-01`);
  });

  it('is an INTERNAL child when a server span is already active, and marks 5xx as errors', () => {
    exporter.reset();
    const outer = tracer.startSpan('http');
    context.with(trace.setSpan(context.active(), outer), () => startRequestSpan({ method: 'GET', route: '/x', headers: { traceparent: TRACEPARENT } }, tracer).end(503, new Error('db down')));
    outer.end();
    const inner = exporter.getFinishedSpans().find((s) => s.name === 'GET /x')!;
    expect(inner.kind).toBe(SpanKind.INTERNAL);
    expect(inner.parentSpanContext?.spanId).toBe(outer.spanContext().spanId);
    expect(inner.status.code).toBe(SpanStatusCode.ERROR);
    expect(inner.events.map((e) => e.name)).toContain('exception');
  });

  it('statusClass bounds statuses', () => {
    expect([200, 201, 404, 409, 503, 99, 700].map(statusClass)).toEqual(['2xx', '2xx', '4xx', '4xx', '5xx', 'other', 'other']);
  });
});
