import { ROOT_CONTEXT, TraceFlags, createTraceState, trace, type SpanContext } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import {
  carrierOf,
  extractTraceContext,
  formatTraceparent,
  injectTraceContext,
  linksFromCarriers,
  parseTraceparent,
  traceCarrierOfMetadata,
} from './trace-context';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';
const TRACEPARENT = `00-${TRACE_ID}-${SPAN_ID}-01`;

const spanContext = (overrides: Partial<SpanContext> = {}): SpanContext => ({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.SAMPLED, ...overrides });

describe('traceparent', () => {
  it('formats and parses the W3C example', () => {
    expect(formatTraceparent(spanContext())).toBe(TRACEPARENT);
    expect(formatTraceparent(spanContext({ traceFlags: TraceFlags.NONE }))).toBe(`00-${TRACE_ID}-${SPAN_ID}-00`);
    expect(parseTraceparent(TRACEPARENT)).toEqual({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1, isRemote: true });
  });

  it.each([
    ['all-zero trace id', `00-${'0'.repeat(32)}-${SPAN_ID}-01`],
    ['all-zero span id', `00-${TRACE_ID}-${'0'.repeat(16)}-01`],
    ['version ff', `ff-${TRACE_ID}-${SPAN_ID}-01`],
    ['extra field in version 00', `${TRACEPARENT}-extra`],
    ['upper case', TRACEPARENT.toUpperCase()],
    ['short trace id', `00-${TRACE_ID.slice(1)}-${SPAN_ID}-01`],
    ['empty', ''],
  ])('rejects %s', (_, value) => {
    expect(parseTraceparent(value)).toBeUndefined();
  });

  it('accepts a future version with extra fields', () => {
    expect(parseTraceparent(`01-${TRACE_ID}-${SPAN_ID}-01-whatever`)).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID });
  });
});

describe('inject / extract', () => {
  it('round-trips the span context and tracestate', () => {
    const ctx = trace.setSpanContext(ROOT_CONTEXT, spanContext({ traceState: createTraceState('vendor=a,other=b') }));
    const carrier = injectTraceContext(ctx);
    expect(carrier).toEqual({ traceparent: TRACEPARENT, tracestate: 'vendor=a,other=b' });
    const extracted = trace.getSpanContext(extractTraceContext(carrier, ROOT_CONTEXT))!;
    expect(extracted).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1, isRemote: true });
    expect(extracted.traceState?.serialize()).toBe('vendor=a,other=b');
    expect(injectTraceContext(extractTraceContext(carrier, ROOT_CONTEXT))).toEqual(carrier);
  });

  it('injects nothing without a valid span, and extracting garbage leaves the context alone', () => {
    expect(injectTraceContext(ROOT_CONTEXT)).toEqual({});
    expect(injectTraceContext()).toEqual({}); // no context manager, no SDK: still safe
    expect(extractTraceContext({ traceparent: 'nope' }, ROOT_CONTEXT)).toBe(ROOT_CONTEXT);
    expect(extractTraceContext({}, ROOT_CONTEXT)).toBe(ROOT_CONTEXT);
  });

  it('reads repeated headers as Node gives them', () => {
    expect(carrierOf({ traceparent: [TRACEPARENT, 'x'], tracestate: ['a=1', 'b=2'] })).toEqual({ traceparent: TRACEPARENT, tracestate: 'a=1,b=2' });
    expect(carrierOf({ traceparent: 42 })).toEqual({});
  });
});

describe('event metadata', () => {
  it('finds the carrier in metadata JSON or objects, and ignores anything else', () => {
    expect(traceCarrierOfMetadata(JSON.stringify({ correlationId: 'c', traceparent: TRACEPARENT }))).toEqual({ traceparent: TRACEPARENT });
    expect(traceCarrierOfMetadata({ traceparent: TRACEPARENT, tracestate: 'a=1' })).toEqual({ traceparent: TRACEPARENT, tracestate: 'a=1' });
    for (const bad of ['{', '[]', 'null', '{"correlationId":"c"}', null, undefined]) expect(traceCarrierOfMetadata(bad)).toBeUndefined();
  });
});

describe('linksFromCarriers', () => {
  it('links each distinct valid parent once, in order, up to the cap', () => {
    const other = `00-${'a'.repeat(32)}-${'b'.repeat(16)}-00`;
    const links = linksFromCarriers([{ traceparent: TRACEPARENT }, undefined, { traceparent: 'bad' }, { traceparent: TRACEPARENT }, { traceparent: other }]);
    expect(links.map((l) => l.context.traceId)).toEqual([TRACE_ID, 'a'.repeat(32)]);
    expect(links[0]!.context.isRemote).toBe(true);
    const many = Array.from({ length: 10 }, (_, i) => ({ traceparent: `00-${TRACE_ID}-${(i + 1).toString(16).padStart(16, '0')}-01` }));
    expect(linksFromCarriers(many, 4)).toHaveLength(4);
  });
});
